// labstore/record.h — logging rows of records (machinable's record(scope)).
//
// A RecordWriter appends rows to one *scope* ("default", "validation", …) of one
// stored experiment. A row maps column names to values: int64, double, bool,
// string, null, or nested JSON (an object or array). Rows may differ in their
// columns; a new column may appear at any row. Every row also carries the
// instant it was saved (machinable's "__timestamp").
//
//   auto w = labstore::RecordWriter::Open(store, "rm3SAJ", "default");
//   labstore::ColumnId loss = w->Column("loss").value();   // resolve once
//   for (int i = 0; i < n; ++i) { w->Set("iteration", i); w->Set(loss, 0.25); (void)w->Save(); }
//   labstore::Status s = w->Close();                        // stores the tail
//
// Rows are packed into chunks (many rows per database value, column by column,
// compressed). A chunk is written when RecordOptions::flush_rows rows or
// flush_bytes bytes are buffered, when its oldest row is flush_interval_ms old,
// on Flush() and on Close().
//
// DURABILITY PROMISE
//  - A row is *accepted* when Save() returns OK. It is *stored* once the chunk
//    that carries it has been written: after Flush() or Close() return OK, or
//    after an automatic flush (stored_rows() tells how many rows are stored).
//  - After the process dies (kill -9, a crash), every stored row is in the
//    store, exactly once and in order. Accepted-but-unstored rows (at most
//    flush_rows rows or flush_interval_ms of logging) may be lost, and are lost
//    whole: never half a row, never a stored row. A chunk and the scope's row
//    count are written in one atomic batch, so the store always opens cleanly.
//  - With RecordOptions::sync, a chunk is stored only after it has been
//    fsync'ed: stored rows then also survive a machine crash or power loss.
//    Without sync (the default) stored rows survive any crash of the process;
//    a machine crash may lose the rows stored in the last seconds (what the
//    operating system had not yet written to disk, typically up to 30 s) —
//    still whole chunks, in order, never a damaged store.
//  - A failed background write (disk full, I/O error) is reported by the next
//    Save(), Flush() or Close(); rows accepted after it are refused.
//
// THREAD SAFETY
//  - One RecordWriter is not thread-safe: call its methods from one thread at
//    a time (which thread may change, e.g. a writer handed to a worker). A
//    background thread of the writer encodes and writes chunks and flushes by
//    time; it never touches a row that is being built.
//  - Many writers on different (experiment, scope) pairs may run at once, in
//    one thread or many, on one Store. Opening a second writer on a scope
//    that already has one in this process returns Busy.
//  - Close every writer before closing its Store. A writer still open when
//    its Store closes (Store::Close, ~Store, or another Store moved over it)
//    is closed by the Store: its accepted rows are stored, exactly as by
//    Close(), and the Store's Close() returns an error storing them. Its
//    later Save(), Flush(), Close() and Last() (when the row is not in the
//    writer's memory) return InvalidArgument "record writer for experiment
//    <id> scope "<scope>" was closed by Store::Close"; destroying it is safe.
//    The Store must not close while another thread is using the writer.
#ifndef LABSTORE_RECORD_H_
#define LABSTORE_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "labstore/status.h"
#include "labstore/time.h"

namespace labstore {

class Store;

// Limits, checked on every write (InvalidArgument when exceeded).
inline constexpr size_t kMaxRecordNameLength = 128;  // bytes, scope and column names
inline constexpr size_t kMaxRecordColumns = 1024;    // distinct column names per scope
inline constexpr size_t kMaxRowBytes = 4u << 20;     // string + JSON bytes in one row

// The type of a stored value. Written to disk: do not change existing values.
enum class ValueType : uint8_t {
  kNull = 0,    // no value (None / null)
  kInt64 = 1,   // a signed 64-bit integer
  kDouble = 2,  // an IEEE-754 double, NaN/±Infinity/-0.0 kept bit for bit (except NaN payloads)
  kBool = 3,
  kString = 4,  // UTF-8 text (any bytes are kept as given)
  kJson = 5,    // nested JSON (object or array); for a column: values of mixed types
};

// "null", "int64", "double", "bool", "string", "json". Errors: none.
const char* ValueTypeName(ValueType type);

// Nested JSON given as text, e.g. Json{R"({"a": [1, 2.5]})"}. Python's json
// dialect is accepted (NaN, Infinity, -Infinity). Objects and arrays are
// stored as compact JSON text with sorted keys; a scalar (Json{"3"}) is
// stored as the typed value it spells.
struct Json {
  std::string text;
};

// One cell value.
class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool v) : v_(v) {}
  Value(int v) : v_(int64_t{v}) {}
  Value(long v) : v_(int64_t{v}) {}
  Value(long long v) : v_(int64_t{v}) {}
  Value(unsigned v) : v_(int64_t{v}) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  // Nested JSON, already in the stored form (compact, keys sorted). Use
  // ParseJson() to make one from arbitrary JSON text. Errors: none (the
  // constructors neither check nor fail).
  static Value FromJsonText(std::string canonical) {
    Value v;
    v.v_ = JsonHolder{std::move(canonical)};
    return v;
  }
  // Parses JSON text (Python's dialect): a scalar becomes the typed value,
  // an object or array a kJson value. Errors: InvalidArgument.
  static Result<Value> ParseJson(std::string_view text);

  // Errors: none; as_*() and json_text() of another type throw std::bad_variant_access.
  ValueType type() const { return static_cast<ValueType>(v_.index()); }
  bool is_null() const { return type() == ValueType::kNull; }
  int64_t as_int64() const { return std::get<int64_t>(v_); }    // type kInt64
  double as_double() const { return std::get<double>(v_); }     // type kDouble
  bool as_bool() const { return std::get<bool>(v_); }           // type kBool
  const std::string& as_string() const { return std::get<std::string>(v_); }  // type kString
  const std::string& json_text() const { return std::get<JsonHolder>(v_).text; }  // type kJson

  // The value as machinable's records/*.jsonl spells it (Python json.dumps,
  // sort_keys=True): 17, 0.25, 2.0, 1e-07, NaN, -Infinity, true, null,
  // "\u00b5", {"a": [1, 2]}. Errors: none.
  std::string ToJson() const;

  // Same type and value; doubles compare bit for bit (NaN == NaN, -0.0 != 0.0). Errors: none.
  friend bool operator==(const Value& a, const Value& b);

 private:
  struct JsonHolder {
    std::string text;
    friend bool operator==(const JsonHolder&, const JsonHolder&) = default;
  };
  // Index order equals ValueType.
  std::variant<std::monostate, int64_t, double, bool, std::string, JsonHolder> v_;
};

// One row as read back or as being built.
struct Row {
  uint64_t index = 0;       // 0-based position in the scope
  Timestamp timestamp;      // when it was saved (machinable's __timestamp)
  // The row's cells in the scope's column order (order of first appearance).
  // A column the row does not have is absent; a null cell is present with a
  // null Value.
  std::vector<std::pair<std::string, Value>> cells;

  // The value of `column`, or nullptr if the row does not have it. Errors: none.
  const Value* Find(std::string_view column) const;
};

enum class Compression : uint8_t {
  kNone = 0,
  kLz4 = 1,   // LZ4 block: fast; the five-column row: 32.5 -> 16.3 bytes, 56 ns/row
  kZstd = 2,  // zstd level 1: 11 % smaller (14.5 bytes), 20 % more CPU (67 ns/row)
};

struct RecordOptions {
  // Write a chunk when this many rows are buffered. Default 16384: measured
  // (bench/record_bench --sweep, five-column row, CPU of all threads per
  // row) as the point past which larger chunks stop paying: 1024 rows -> 71
  // ns, 4096 -> 59 ns, 16384 -> 56 ns, 65536 -> 56 ns. A crash may lose up
  // to this many accepted rows. 1..1,048,576.
  uint32_t flush_rows = 16384;
  // Write a chunk when its oldest row is this old (milliseconds), also while
  // the writer is idle (checked every flush_interval_ms / 4; while a row is
  // being built — Set without Save — the flush waits for that Save). Bounds
  // the time span of rows a crash may lose. Default 1000. 0: no time-based
  // flush.
  uint32_t flush_interval_ms = 1000;
  // Write a chunk when its values take about this many bytes before
  // compression. Default 4 MiB; bounds the writer's memory for wide rows.
  uint32_t flush_bytes = 4u << 20;
  // fsync each chunk before it counts as stored (survives machine crashes).
  // Costs one fsync per chunk: at the default chunk size about 2x slower,
  // much more for small chunks. Default false.
  bool sync = false;
  // Write chunks without RocksDB's write-ahead log (the "no WAL" durability
  // mode). Faster, but weakens the durability promise: a stored chunk lives
  // only in RocksDB's memtable until RocksDB flushes it to a table file, so
  // a process crash (kill -9) loses every row not yet flushed from the
  // memtable (up to write_buffer_size, 64 MiB of chunks, or more), still
  // whole chunks in order, never a damaged store. Close() of the Store
  // flushes memtables, so rows of a cleanly closed store are kept. Cannot be
  // combined with sync (InvalidArgument). Default false.
  bool disable_wal = false;
  // How chunks are compressed. Default kLz4.
  Compression compression = Compression::kLz4;
};

// A column name resolved by RecordWriter::Column(); valid for that writer only.
struct ColumnId {
  uint32_t index = 0;
};

// Many rows given column by column, for RecordWriter::SaveColumns: row i
// has values[i] of each listed column and no other cell. The arrays are read
// during the call only; the caller keeps them.
//
//   std::vector<int64_t> steps = ...; std::vector<double> losses = ...;   // n each
//   labstore::Status s = w->SaveColumns({.rows = n, .columns = {labstore::ColumnBatch::Ints(step, steps.data()),
//                                                               labstore::ColumnBatch::Doubles(loss, losses.data())}});
struct ColumnBatch {
  struct Column {
    ColumnId id;                           // from RecordWriter::Column() of the same writer
    ValueType type = ValueType::kNull;     // kInt64 (values: int64_t), kDouble (double) or kBool (bool)
    const void* values = nullptr;          // `rows` values of `type`
    const uint8_t* valid = nullptr;        // optional, `rows` bytes: 0 makes the cell null (as Set(id, nullptr))
  };
  static Column Ints(ColumnId id, const int64_t* values, const uint8_t* valid = nullptr) {
    return {id, ValueType::kInt64, values, valid};
  }
  static Column Doubles(ColumnId id, const double* values, const uint8_t* valid = nullptr) {
    return {id, ValueType::kDouble, values, valid};
  }
  static Column Bools(ColumnId id, const bool* values, const uint8_t* valid = nullptr) {
    return {id, ValueType::kBool, values, valid};
  }

  size_t rows = 0;
  std::vector<Column> columns;
  // Optional, `rows` instants in unix microseconds, each row's timestamp as
  // by SetTimestamp, all with utc_offset_seconds. nullptr: the writer's
  // clock, read once for each chunk the rows go to.
  const int64_t* timestamps = nullptr;
  int32_t utc_offset_seconds = 0;
};

class RecordWriter {
 public:
  // Opens the writer of `scope` in the stored experiment `experiment_id`.
  // Rows already in the scope are kept; new rows follow them.
  // Errors:
  //  - InvalidArgument: bad experiment id, bad scope name (empty, '/', NUL,
  //    longer than kMaxRecordNameLength), bad options, read-only store;
  //  - NotFound: no such experiment;
  //  - Busy: this scope already has an open writer in this process; or
  //    another part of the store (doc/many-writers.md) holds rows of it that
  //    this handle does not see yet (the message names the part);
  //  - IOError / Corruption: reading the scope's metadata.
  //
  //   auto w = labstore::RecordWriter::Open(store, "rm3SAJ", "validation", {.sync = true});
  //   if (!w.ok()) return w.status();
  static Result<RecordWriter> Open(Store& store, std::string_view experiment_id, std::string_view scope,
                                   const RecordOptions& options = {});

  RecordWriter(RecordWriter&&) noexcept;
  RecordWriter& operator=(RecordWriter&&) noexcept;
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;
  ~RecordWriter();  // Close(), ignoring errors

  // Resolves a column name once, so that Set(ColumnId, …) costs a few
  // nanoseconds. Errors: InvalidArgument (name empty, with '/' or NUL, longer
  // than kMaxRecordNameLength, "__timestamp" which is reserved, or a
  // (kMaxRecordColumns+1)-th column).
  Result<ColumnId> Column(std::string_view name);

  // Sets a cell of the row being built; setting a column twice keeps the last
  // value. Errors: none here: a bad ColumnId, a bad name, too many
  // columns, an unsigned value above INT64_MAX, invalid Json text or a row
  // over kMaxRowBytes make the next Save() fail with InvalidArgument.
  void Set(ColumnId column, int64_t value);
  void Set(ColumnId column, double value);
  void Set(ColumnId column, bool value);
  void Set(ColumnId column, std::string_view value);
  void Set(ColumnId column, const char* value) { Set(column, std::string_view(value)); }
  void Set(ColumnId column, const std::string& value) { Set(column, std::string_view(value)); }
  void Set(ColumnId column, std::nullptr_t);
  void Set(ColumnId column, const Json& value);
  void Set(ColumnId column, const Value& value);
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, int64_t>)
  void Set(ColumnId column, T value) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      if (value > static_cast<T>(INT64_MAX)) return SetUnsignedTooLarge(column);
    }
    Set(column, static_cast<int64_t>(value));
  }
  // By name: resolves the name (a hash lookup), then as above.
  template <typename T>
  void Set(std::string_view column, T&& value) {
    ColumnId id;
    if (ResolveForSet(column, &id)) Set(id, std::forward<T>(value));
  }
  // Removes a cell from the row being built (machinable's `del record[key]`).
  // Errors: none here (a bad ColumnId or name fails the next Save(), as Set).
  void Unset(ColumnId column);
  void Unset(std::string_view column);
  // Overrides the timestamp of the row being built (default: the clock at
  // Save). For imports and tests. Errors: none.
  void SetTimestamp(Timestamp at);
  // Drops the row being built. Errors: none.
  void Discard();

  // Appends the row being built and starts an empty one. An empty row is not
  // saved unless `force` (machinable's save(force=True)).
  // Errors: InvalidArgument (a bad Set since the last Save: the row is
  // discarded, nothing is stored); IOError (a chunk write failed, see the
  // durability promise); InvalidArgument after Close().
  Status Save(bool force = false);

  // Appends batch.rows rows given column by column: the same rows, chunks
  // and chunk bytes as setting each row's cells with Set(id, value) (or
  // Set(id, nullptr) where `valid` is 0) and calling Save(true) per row, with
  // the timestamps given or read from the clock. The calling thread copies
  // values into the chunk column by column (no call per cell); encoding and
  // writing the chunks costs as for Save(). A batch of 0 rows does nothing.
  // Rows count as accepted per chunk: see the durability promise.
  // Errors: InvalidArgument (a row is being built: Save or Discard it first;
  // a batch with rows but no columns; a ColumnId not from this writer; a
  // column listed twice; a type other than int64, double, bool; values
  // nullptr; after Close()), all before any row is appended; IOError (a chunk
  // write failed, see the durability promise: the rows of the batch from the
  // chunk that saw it on are refused).
  Status SaveColumns(const ColumnBatch& batch);

  // Stores every accepted row (the row being built stays unsaved) and waits
  // until it is written. Errors: IOError, InvalidArgument after Close().
  Status Flush();

  // Flush(), then stops the background thread and releases the scope. The
  // row being built, if any, is dropped. Further calls fail with
  // InvalidArgument; Close() again returns OK.
  // Errors: IOError (as Flush: a chunk write failed; the writer is closed
  // anyway); InvalidArgument when the Store closed the writer first.
  Status Close();

  // The row being built (machinable's record.current); index is the row
  // number it will get. Its timestamp is the one set by SetTimestamp, else 0.
  // Errors: none.
  Row Current() const;
  // The last row saved (machinable's record.last), read from the store when
  // this writer has saved none. Errors: NotFound (the scope has no rows),
  // IOError, Corruption; InvalidArgument when the Store closed the writer and
  // the row is not in its memory.
  Result<Row> Last() const;

  // Rows in the scope including every accepted one (stored + buffered).
  // Errors: none (this accessor and the three below).
  uint64_t accepted_rows() const;
  // Rows in the scope that are stored (see the durability promise).
  uint64_t stored_rows() const;

  const std::string& experiment_id() const;
  const std::string& scope() const;

 private:
  struct Impl;
  explicit RecordWriter(std::unique_ptr<Impl> impl);
  bool ResolveForSet(std::string_view name, ColumnId* id);
  void SetUnsignedTooLarge(ColumnId column);
  std::unique_ptr<Impl> impl_;
};

// Removes every row of `scope` in a stored experiment: all its chunks and the
// scope's metadata, in one atomic batch (a kill leaves the scope whole or
// gone, never part of it). Afterwards the scope is absent from ListScopes,
// reads as empty, and a new writer starts it again at row 0. Other scopes,
// files and status markers are untouched. Clearing a scope that has no rows
// is OK. The space is reclaimed by RocksDB's compaction (`labstore gc`).
// Returns OK when the batch is written.
// Errors:
//  - InvalidArgument: bad experiment id or scope name, read-only or closed store;
//  - NotFound: no such experiment;
//  - Busy: a RecordWriter of this scope is open in this process (close it first);
//  - IOError.
// Thread-safe. A writer in another process cannot exist (the store is opened
// for writing by one process at a time).
//
// RERUN — running again what did not finish (a crash, kill -9, Ctrl-C). Only
// the process holding the store for writing can run experiments, so an
// unfinished experiment that this process is not running has died:
//
//   auto e = store.Get("estimate_gravity", config);              // check e.ok() and each Status
//   if (!e->stored) {
//     (void)store.Commit(*e);                                       // the first time
//   } else if (store.GetStatus(e->id)->IsFinished()) {
//     return Use(*e);                                               // done before
//   } else {                                                        // died before: start over
//     for (const auto& s : *labstore::ListScopes(store, e->id)) (void)labstore::ClearRecords(store, e->id, s.name);
//   }
//   auto run = labstore::Run::Start(store, e->id);                  // labstore/run.h
//   Simulate(store, e->id);
//   (void)run->Finish();
//
// Alternatively leave the unfinished experiment as it is and Create() a fresh
// experiment of the same definition: Get() then returns the newest one.
// Files saved by the unfinished attempt stay (SaveData replaces a file of the
// same path). An export written before the clear may keep the scope's old
// rows in records/<scope>.jsonl and storage.sqlite when the rerun stores at
// least as many rows: export to a fresh folder after a rerun.
Status ClearRecords(Store& store, std::string_view experiment_id, std::string_view scope);

}  // namespace labstore

#endif  // LABSTORE_RECORD_H_
