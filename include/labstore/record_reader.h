// labstore/record_reader.h — reading records back: rows, typed columns, text.
//
//   labstore::RecordReader r = labstore::RecordReader::Open(store, "rm3SAJ", "default").value();
//   labstore::Row row;
//   while (r.Next(&row)) std::printf("%s\n", labstore::FormatJsonLine(row).c_str());
//   if (!r.status().ok()) return r.status();
//
//   auto cols = labstore::ReadColumns(store, "rm3SAJ", "default", {.start = -1000});  // last 1000 rows
//   const labstore::ColumnData* loss = cols->Find("loss");
//
// Every function reads what is stored (see the durability promise in
// record.h): rows accepted by a writer but not yet flushed are not seen. A
// read-only Store sees the rows stored when it was opened or last refreshed
// (Store::Refresh). A scope that has no rows reads as empty; an experiment
// that does not exist is NotFound.
//
// A damaged chunk (checksum mismatch, bad encoding, a gap in the row
// numbers) is reported as Corruption naming the experiment, the scope and the
// row range of the chunk, e.g.
//   damaged record chunk: experiment rm3SAJ scope "default" rows 16384..32767: checksum mismatch
// Rows are never silently skipped and never read with wrong values.
//
// Thread safety: the free functions may be called from many threads at once,
// also while writers run. A RecordReader is used by one thread at a time and
// must not race Store::Close. A RecordReader still open when its Store
// closes or refreshes is ended: its next Next() returns false with status()
// InvalidArgument "record reader for experiment <id> scope "<scope>" was
// closed by Store::Close" (or Store::Refresh); destroying it is safe.
#ifndef LABSTORE_RECORD_READER_H_
#define LABSTORE_RECORD_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/record.h"
#include "labstore/status.h"

namespace labstore {

class Store;

// Which rows to read: `count` rows starting at row `start`. A negative start
// counts from the end, as in Python: {.start = -10} is the last 10 rows.
// Rows past the end are not an error: the range is clipped.
struct RowRange {
  int64_t start = 0;
  uint64_t count = UINT64_MAX;
};

// A scope as its metadata describes it (no chunk is decoded).
struct ScopeInfo {
  std::string name;
  uint64_t rows = 0;        // stored rows
  uint64_t chunks = 0;      // stored chunks
  uint64_t bytes = 0;       // bytes of the stored chunks (compressed)
  // Columns in order of first appearance with their type: kNull while only
  // nulls were stored, kDouble for ints and doubles, kJson when values of
  // other different types were. A scope written before ints and doubles made
  // a double column lists such a column as kJson; ReadColumns reads it as
  // numbers (doc/format.md, "Numbers").
  std::vector<std::pair<std::string, ValueType>> columns;
};

// The scopes of an experiment, sorted by name. Errors: InvalidArgument (bad
// id, closed store), NotFound (no such experiment), IOError, Corruption.
Result<std::vector<ScopeInfo>> ListScopes(const Store& store, std::string_view experiment_id);

// One scope's metadata; a scope without rows gives rows == 0 and no columns.
// Errors: as ListScopes, InvalidArgument for a bad scope name.
Result<ScopeInfo> GetScope(const Store& store, std::string_view experiment_id, std::string_view scope);

// Stored rows of a scope, without decoding anything. Errors: as GetScope.
Result<uint64_t> CountRows(const Store& store, std::string_view experiment_id, std::string_view scope);

// One column read into memory: a value and two masks per row.
struct ColumnData {
  std::string name;
  // int64/double/bool/string: every non-null value of the column is of that
  // type, except that kDouble also holds a column of ints and doubles (the
  // ints as doubles: exact up to 2^53; ReadRows and the JSON lines keep them
  // ints). kJson: nested JSON, or values of other different types, each
  // given as its JSON text (17, 2.5, "text", [1]). kNull: only nulls.
  ValueType type = ValueType::kNull;
  // The masks: one byte per row, 1 = yes; or EMPTY when every row is a yes
  // (the common dense column has neither). Use IsValid / IsPresent.
  std::vector<uint8_t> valid;    // the row has a non-null value here
  std::vector<uint8_t> present;  // the row has this column (null or not)
  std::vector<int64_t> ints;     // kInt64: one per row, 0 where !valid
  std::vector<double> doubles;   // kDouble: one per row, 0.0 where !valid
  std::vector<uint8_t> bools;    // kBool: one per row (0/1), 0 where !valid
  // kString / kJson: row i is bytes[offsets[i], offsets[i+1]); empty where !valid.
  std::vector<uint64_t> offsets;
  std::string bytes;

  // Errors: none (row must be below the rows read).
  bool IsValid(size_t row) const { return valid.empty() ? type != ValueType::kNull : valid[row] != 0; }
  bool IsPresent(size_t row) const { return present.empty() || present[row] != 0; }
  std::string_view StringAt(size_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

struct RecordColumns {
  uint64_t first_row = 0;  // scope row number of element 0
  uint64_t rows = 0;       // rows read; every vector below has this many entries
  std::vector<int64_t> timestamps;    // unix microseconds, one per row
  std::vector<int32_t> utc_offsets;   // seconds east of UTC, one per row
  std::vector<ColumnData> columns;    // every column of the scope, first appearance order

  // The column named `name`, or nullptr. Errors: none.
  const ColumnData* Find(std::string_view name) const;
};

// Reads a range of a scope into typed columns. Errors: as GetScope, Corruption.
// A range of 65,536 rows or more is decoded on up to 3 worker threads (one
// per core beyond the caller's), started and joined within the call.
//
//   auto c = labstore::ReadColumns(store, id, "default");
//   for (size_t i = 0; i < c->rows; ++i) if (loss->valid[i]) sum += loss->doubles[i];
Result<RecordColumns> ReadColumns(const Store& store, std::string_view experiment_id, std::string_view scope,
                                  const RowRange& range = {});
// The same into `*out`, reusing the memory its vectors hold: reading windows
// of a large scope (or polling the last rows) this way allocates nothing once
// the vectors have grown, and runs about twice as fast as fresh reads, whose
// cost is half page faults. On error *out is unspecified. Errors: as above.
Status ReadColumns(const Store& store, std::string_view experiment_id, std::string_view scope, const RowRange& range,
                   RecordColumns* out);

// Iterates the rows of a scope in order, decoding one chunk at a time.
class RecordReader {
 public:
  // Errors: as GetScope. The rows seen are those stored when Open returns.
  static Result<RecordReader> Open(const Store& store, std::string_view experiment_id, std::string_view scope,
                                   const RowRange& range = {});

  RecordReader(RecordReader&&) noexcept;
  RecordReader& operator=(RecordReader&&) noexcept;
  ~RecordReader();

  // Fills `row` with the next row and returns true; false at the end or on
  // an error (then status() is not ok: Corruption, IOError; InvalidArgument
  // once its Store closed or refreshed). Errors: none here, see status().
  bool Next(Row* row);
  const Status& status() const;
  // Rows this reader will return in all (the clipped range). Errors: none.
  uint64_t size() const;

 private:
  struct Impl;
  explicit RecordReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// All rows of a range, materialized. Errors: as ReadColumns.
Result<std::vector<Row>> ReadRows(const Store& store, std::string_view experiment_id, std::string_view scope,
                                  const RowRange& range = {});

// ---- text ------------------------------------------------------------------

// One row as a line of machinable's records/<scope>.jsonl, without "\n":
// json.dumps(row, sort_keys=True) with "__timestamp" as FormatIso(timestamp).
//   {"__timestamp": "2023-02-24T10:00:09.012344-05:00", "accuracy": 0.1, "iteration": 0}
// Errors: none.
std::string FormatJsonLine(const Row& row);

// Receives text in pieces of whole lines (about 256 KiB each); a non-ok Status
// stops the writing and is returned.
using TextSink = std::function<Status(std::string_view)>;

// The rows of a range as JSON lines (each FormatJsonLine + "\n"), streamed.
// Errors: as ReadColumns, and whatever `sink` returns.
Status WriteJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope,
                      const TextSink& sink, const RowRange& range = {});
Result<std::string> ToJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope,
                                const RowRange& range = {});

// CSV (RFC 4180): a header line, then one line per row, "\n" line ends.
// Columns as in AsTable: every column name and "__timestamp", sorted by name.
// Values: integers exact, doubles as Python repr (0.25, 1e-07, nan, inf,
// -inf), true/false, strings and JSON text quoted when they contain ',', '"',
// CR or LF; null and absent cells empty. Errors: as ReadColumns, and whatever
// `sink` returns (WriteCsv).
Status WriteCsv(const Store& store, std::string_view experiment_id, std::string_view scope, const TextSink& sink,
                const RowRange& range = {});
Result<std::string> ToCsv(const Store& store, std::string_view experiment_id, std::string_view scope,
                          const RowRange& range = {});

// An aligned text table as machinable's records(scope).as_table() shows it
// (tabulate's "simple" format, headers="keys"):
//
//     __timestamp                         accuracy  iteration  phase
//     --------------------------------  ----------  -----------  -------
//     2023-02-24T10:00:09.012344-05:00         0.1            0  train
//
// Columns: "__timestamp" and every column of the scope, sorted by name (the
// key order of machinable's sorted JSON lines). Each column is as wide as its
// widest cell and at least its header + 2; columns are separated by two
// spaces; a dashed line follows the header. Numbers are right-aligned, on the
// decimal point within a column; doubles as Python's format(x, "g") (6
// significant digits: 288.889, 1e-07, nan, inf), and a column holding ints
// and doubles shows its ints that way too. Text, bools (True/False) and JSON
// are left-aligned. Null and absent cells are blank. Every line ends in "\n".
// Errors: as ReadColumns.
Result<std::string> AsTable(const Store& store, std::string_view experiment_id, std::string_view scope,
                            const RowRange& range = {});
// The same for rows already in memory. Errors: none (nor for the two below).
std::string FormatTable(const std::vector<Row>& rows);
// The same with the given columns in the given order ("__timestamp" names the
// row's timestamp; a name no row has gives a blank column).
std::string FormatTable(const std::vector<Row>& rows, const std::vector<std::string>& columns);
// CSV as WriteCsv writes it, for rows in memory and the given columns in the
// given order ("__timestamp" names the row's timestamp).
std::string FormatCsv(const std::vector<Row>& rows, const std::vector<std::string>& columns);

}  // namespace labstore

#endif  // LABSTORE_RECORD_READER_H_
