// RecordWriter: builds chunks column by column on the caller's thread and
// writes them on a background thread (one per writer).
//
// Threads and locks:
//  - The caller's thread owns the chunk being built (`building`). It holds
//    `row_lock` (a one-byte spin lock, ~4 ns per row) from the first Set of a
//    row until Save returns, and around every other access to `building`.
//  - The background thread writes a sealed chunk (`inflight`), then waits for
//    the next. To flush by time while the caller is idle, it takes `row_lock`
//    with try-lock only; so a row being built is never touched by it.
//  - `mu` guards the hand-over (inflight, spare, last_row, bg_error, stop).
// Sealing waits while the previous chunk is still being written, so at most
// two chunk buffers exist per writer: memory is bounded by flush_rows /
// flush_bytes, whatever the number of rows logged.
#include <time.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "experiment/lookup.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk.h"
#include "record/clock.h"
#include "record/read.h"
#include "record/scope.h"
#include "store/store_state.h"

namespace labstore {

using internal::ChunkBuffer;
using internal::ColumnBuffer;
using internal::kSparse;

namespace {

// (store, experiment key, scope) triples with an open writer in this process.
std::mutex g_open_mu;
std::set<std::string>& OpenScopes() {
  static std::set<std::string> open;
  return open;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

size_t CellBytes(const Value& v) {
  if (v.type() == ValueType::kString) return v.as_string().size();
  if (v.type() == ValueType::kJson) return v.json_text().size();
  return 0;
}

}  // namespace

struct RecordWriter::Impl {
  internal::StoreState* st = nullptr;
  std::string id, scope, exp_key, scope_key, registry_key;
  RecordOptions opt;

  // ---- the caller's thread ---------------------------------------------------
  std::vector<std::string> names;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> by_name;
  std::unique_ptr<ChunkBuffer> building;
  ColumnBuffer* cols = nullptr;  // building->columns.data()
  uint32_t ncols = 0;
  uint32_t row = 0;              // == building->rows
  uint64_t building_first = 0;   // scope row number of building's row 0
  bool row_open = false;         // row_lock held by the caller
  uint32_t row_cells = 0;
  size_t row_bytes = 0;
  Status row_error;
  std::optional<Timestamp> row_ts;
  int64_t deadline = INT64_MAX;  // clock micros at which `building` must be flushed
  int64_t offset_until = 0;      // utc offset valid until this clock micros
  int32_t utc_offset = 0;
  internal::RowClock clock;
  bool saved_any = false;
  bool closed = false;
  std::atomic<uint64_t> accepted{0};
  std::atomic<bool> row_lock{false};

  // ---- hand-over, guarded by mu -------------------------------------------------
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<ChunkBuffer> inflight;
  uint64_t inflight_first = 0;
  std::unique_ptr<ChunkBuffer> spare;
  std::optional<Row> last_row;  // last saved row once `building` is empty
  bool stop = false;
  Status bg_error;
  std::atomic<bool> has_bg_error{false};
  std::atomic<uint64_t> stored{0};
  std::thread flusher;

  // ---- the background thread ------------------------------------------------------
  ScopeInfo meta;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> meta_index;
  std::string raw, chunk;
  rocksdb::WriteBatch batch;

  ~Impl() = default;

  void LockRow() {
    while (row_lock.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  }
  bool TryLockRow() { return !row_lock.exchange(true, std::memory_order_acquire); }
  void UnlockRow() { row_lock.store(false, std::memory_order_release); }

  void OpenRow() {
    LockRow();
    row_open = true;
  }
  void CloseRow() {
    row_open = false;
    row_cells = 0;
    row_bytes = 0;
    row_ts.reset();
    row_error = Status::OK();
    UnlockRow();
  }

  // Holds row_lock for a scope unless the caller already holds it.
  struct Guard {
    Impl* w;
    bool took;
    explicit Guard(Impl* impl) : w(impl), took(!impl->row_open) {
      if (took) w->LockRow();
    }
    ~Guard() {
      if (took) w->UnlockRow();
    }
  };

  std::unique_ptr<ChunkBuffer> NewBuffer() {
    auto b = std::make_unique<ChunkBuffer>();
    b->micros.resize(opt.flush_rows);
    b->utc_offsets.resize(opt.flush_rows);
    return b;
  }

  void AddColumnToBuilding(const std::string& name) {
    building->columns.emplace_back();
    building->columns.back().name = name;
    cols = building->columns.data();
    ncols = static_cast<uint32_t>(building->columns.size());
  }

  Row Materialize(const ChunkBuffer& b, uint32_t r, uint64_t index, Timestamp ts) const {
    Row out;
    out.index = index;
    out.timestamp = ts;
    for (const ColumnBuffer& c : b.columns) {
      if (!c.Present(r)) continue;
      out.cells.emplace_back(c.name, c.Valid(r) ? c.Get(c.ValueIndex(r)) : Value());
    }
    return out;
  }
  Row MaterializeSaved(const ChunkBuffer& b, uint32_t r, uint64_t first) const {
    return Materialize(b, r, first + r, Timestamp{b.micros[r], b.utc_offsets[r]});
  }

  // Removes the cell of the current row from `c` (it must be present).
  void RemoveCell(ColumnBuffer& c) {
    if (c.Valid(row)) {
      --c.count;
      if (c.type == ValueType::kString || c.type == ValueType::kJson) {
        uint32_t begin = c.count == 0 ? 0 : c.ends[c.count - 1];
        size_t len = c.ends[c.count] - begin;
        row_bytes -= std::min(row_bytes, len);
        c.ends.pop_back();
        c.bytes.resize(begin);
      }
    }
    if (c.sparse()) {
      c.present[row >> 6] &= ~(uint64_t{1} << (row & 63));
      c.valid[row >> 6] &= ~(uint64_t{1} << (row & 63));
    } else {
      --c.dense_next;
    }
    --row_cells;
  }

  void AppendValue(ColumnBuffer& c, const Value& v) {
    switch (c.type) {
      case ValueType::kInt64:
      case ValueType::kDouble:
      case ValueType::kBool: {
        if (c.count >= c.fixed.size()) c.GrowFixed();
        uint64_t bits = v.type() == ValueType::kInt64    ? static_cast<uint64_t>(v.as_int64())
                        : v.type() == ValueType::kDouble ? std::bit_cast<uint64_t>(v.as_double())
                                                         : uint64_t{v.as_bool()};
        c.fixed[c.count++] = bits;
        building->value_bytes += 8;
        break;
      }
      case ValueType::kString:
        c.bytes += v.as_string();
        c.ends.push_back(static_cast<uint32_t>(c.bytes.size()));
        ++c.count;
        building->value_bytes += v.as_string().size() + 4;
        break;
      case ValueType::kJson:
        internal::AppendStoredJson(&c.bytes, v);
        c.ends.push_back(static_cast<uint32_t>(c.bytes.size()));
        ++c.count;
        building->value_bytes += (c.ends.back() - (c.count > 1 ? c.ends[c.count - 2] : 0)) + 4;
        break;
      case ValueType::kNull:
        break;
    }
  }

  // Every Set that the fast paths do not take.
  void SetSlow(ColumnId column, const Value& v) {
    if (!row_open) OpenRow();
    if (column.index >= ncols) {
      if (row_error.ok()) {
        row_error = Status::InvalidArgument(fmt::format("unknown column id {} for scope \"{}\"", column.index, scope),
                                            fmt::format("this writer has {} columns", ncols));
      }
      return;
    }
    ColumnBuffer& c = cols[column.index];
    if (c.Present(row)) RemoveCell(c);
    if (!v.is_null()) {
      if (c.type == ValueType::kNull) {
        c.type = v.type();
      } else if (c.type != v.type()) {
        c.ConvertToJson();  // a column of mixed types keeps JSON text
      }
    }
    if (!c.sparse() && c.dense_next == row && !v.is_null()) {
      ++c.dense_next;
    } else {
      c.MakeSparse();
      size_t w = row >> 6;
      if (w >= c.present.size()) {
        c.present.resize(w + 1 + c.present.size(), 0);
        c.valid.resize(c.present.size(), 0);
      }
      c.present[w] |= uint64_t{1} << (row & 63);
      if (!v.is_null()) c.valid[w] |= uint64_t{1} << (row & 63);
    }
    if (!v.is_null()) AppendValue(c, v);
    ++row_cells;
    row_bytes += CellBytes(v);
    if (row_bytes > kMaxRowBytes && row_error.ok()) {
      row_error = Status::InvalidArgument(
          fmt::format("row too large for scope \"{}\" of experiment {}", scope, id),
          fmt::format("its strings and JSON take more than {} bytes (kMaxRowBytes)", kMaxRowBytes));
    }
  }

  void SetError(Status s) {
    if (!row_open) OpenRow();
    if (row_error.ok()) row_error = std::move(s);
  }

  void RefreshOffset(int64_t now) {
    time_t secs = static_cast<time_t>(now / 1000000);
    struct tm local;
    localtime_r(&secs, &local);
    utc_offset = static_cast<int32_t>(local.tm_gmtoff);
    offset_until = (now / 60000000 + 1) * 60000000;  // offsets change on whole minutes
  }

  // Hands `building` (rows > 0) to the background thread. Caller holds
  // row_lock. Cells of a row being built move to the new buffer.
  void Seal() {
    std::vector<std::pair<uint32_t, Value>> partial;
    if (row_open && row_cells > 0) {
      for (uint32_t i = 0; i < ncols; ++i) {
        const ColumnBuffer& c = cols[i];
        if (c.Present(row)) partial.emplace_back(i, c.Valid(row) ? c.Get(c.ValueIndex(row)) : Value());
      }
    }
    {
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return inflight == nullptr; });
      last_row = MaterializeSaved(*building, building->rows - 1, building_first);
      inflight_first = building_first;
      building_first += building->rows;
      std::unique_ptr<ChunkBuffer> next = spare ? std::move(spare) : NewBuffer();
      for (size_t i = next->columns.size(); i < building->columns.size(); ++i) {
        next->columns.emplace_back();
        next->columns.back().name = building->columns[i].name;
      }
      inflight = std::move(building);
      building = std::move(next);
      cv.notify_all();
    }
    cols = building->columns.data();
    ncols = static_cast<uint32_t>(building->columns.size());
    row = 0;
    deadline = INT64_MAX;
    if (!partial.empty()) {
      Status keep = std::move(row_error);
      size_t keep_bytes = row_bytes;
      row_cells = 0;
      row_bytes = 0;
      for (auto& [i, v] : partial) SetSlow(ColumnId{i}, v);
      row_error = std::move(keep);
      row_bytes = keep_bytes;
    }
  }

  // ---- background thread ------------------------------------------------------

  Status WriteChunk(const ChunkBuffer& b, uint64_t first) {
    internal::EncodeChunk(b, first, opt.compression, &raw, &chunk);
    const size_t old_columns = meta.columns.size();
    std::vector<std::pair<size_t, ValueType>> old_types;
    for (const ColumnBuffer& c : b.columns) {
      if (!c.AnyPresent(b.rows)) continue;
      ValueType t = c.ValuesBefore(b.rows) == 0 ? ValueType::kNull : c.type;
      auto it = meta_index.find(c.name);
      if (it == meta_index.end()) {
        meta_index.emplace(c.name, meta.columns.size());
        meta.columns.emplace_back(c.name, t);
      } else {
        ValueType& mt = meta.columns[it->second].second;
        old_types.emplace_back(it->second, mt);
        mt = internal::MergeTypes(mt, t);
      }
    }
    ScopeInfo old{.rows = meta.rows, .chunks = meta.chunks, .bytes = meta.bytes};
    meta.rows = first + b.rows;
    meta.chunks += 1;
    meta.bytes += chunk.size();
    batch.Clear();
    rocksdb::Status s = batch.Put(st->handle(internal::kCfRecords), internal::RecordKey(exp_key, scope, first), chunk);
    if (s.ok()) s = batch.Put(st->handle(internal::kCfScopes), scope_key, internal::EncodeScopeMeta(meta));
    if (s.ok()) {
      rocksdb::WriteOptions wo;
      wo.sync = opt.sync;
      s = st->db->Write(wo, &batch);
    }
    if (!s.ok()) {
      meta.rows = old.rows;
      meta.chunks = old.chunks;
      meta.bytes = old.bytes;
      for (auto& [i, t] : old_types) meta.columns[i].second = t;
      for (size_t i = old_columns; i < meta.columns.size(); ++i) meta_index.erase(meta.columns[i].first);
      meta.columns.resize(old_columns);
      return internal::FromRocks(
          s, fmt::format("cannot store rows {}..{} of scope \"{}\" of experiment {}", first, first + b.rows - 1, scope, id));
    }
    stored.store(meta.rows, std::memory_order_release);
    return Status::OK();
  }

  void TryIdleFlush() {
    if (!TryLockRow()) return;  // the caller is building a row or saving: its Save checks the deadline
    if (building->rows > 0 && internal::RealtimeMicros() >= deadline) Seal();
    UnlockRow();
  }

  void Run() {
    const auto period = std::chrono::milliseconds(std::max<uint32_t>(1, opt.flush_interval_ms / 4));
    std::unique_lock lk(mu);
    for (;;) {
      if (inflight) {
        ChunkBuffer* b = inflight.get();
        uint64_t first = inflight_first;
        lk.unlock();
        Status s = WriteChunk(*b, first);
        b->Reset();
        lk.lock();
        if (!s.ok() && bg_error.ok()) {
          bg_error = s;
          has_bg_error.store(true, std::memory_order_release);
        }
        spare = std::move(inflight);
        cv.notify_all();
        continue;
      }
      if (stop) return;
      if (opt.flush_interval_ms == 0) {
        cv.wait(lk);
      } else if (cv.wait_for(lk, period) == std::cv_status::timeout && !inflight && !stop) {
        lk.unlock();
        TryIdleFlush();
        lk.lock();
      }
    }
  }

  Status BackgroundError() {
    std::lock_guard lk(mu);
    return bg_error;
  }

  // Waits until no chunk is being written.
  void WaitIdle() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return inflight == nullptr; });
  }

  Status ClosedError(std::string_view op) const {
    return Status::InvalidArgument(fmt::format("cannot {}: the writer of scope \"{}\" of experiment {} is closed", op, scope, id));
  }
};

// ---- RecordWriter ------------------------------------------------------------------

RecordWriter::RecordWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordWriter::RecordWriter(RecordWriter&&) noexcept = default;
RecordWriter& RecordWriter::operator=(RecordWriter&& other) noexcept {
  if (this != &other) {
    if (impl_) (void)Close();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
RecordWriter::~RecordWriter() {
  if (impl_) (void)Close();
}

Result<RecordWriter> RecordWriter::Open(Store& store, std::string_view experiment_id, std::string_view scope,
                                        const RecordOptions& options) {
  internal::StoreState* st = store.state();
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  if (options.flush_rows == 0 || options.flush_rows > (1u << 20)) {
    return Status::InvalidArgument(fmt::format("invalid RecordOptions::flush_rows {}", options.flush_rows),
                                   "it must be in 1..1048576");
  }
  if (options.flush_bytes == 0) return Status::InvalidArgument("invalid RecordOptions::flush_bytes 0", "it must be positive");
  if (static_cast<uint8_t>(options.compression) > 2) return Status::InvalidArgument("invalid RecordOptions::compression");
  LABSTORE_RETURN_IF_ERROR(st->CheckWritable("write records"));
  auto key = internal::LookupKey(*st, experiment_id);
  if (!key.ok()) return key.status();

  auto w = std::make_unique<Impl>();
  w->st = st;
  w->id = std::string(experiment_id);
  w->scope = std::string(scope);
  w->exp_key = *key;
  w->scope_key = internal::ScopeKey(*key, scope);
  w->opt = options;
  w->registry_key = fmt::format("{}", static_cast<const void*>(st)) + '\0' + *key + w->scope;

  auto meta = internal::LoadScopeChecked(*st, w->id, *key, w->scope);
  if (!meta.ok()) return meta.status();
  w->meta = std::move(*meta);
  {
    std::lock_guard lk(g_open_mu);
    if (!OpenScopes().insert(w->registry_key).second) {
      return Status::Busy(fmt::format("scope \"{}\" of experiment {} already has an open writer", scope, experiment_id),
                          "close it first; one writer per scope");
    }
  }
  for (size_t i = 0; i < w->meta.columns.size(); ++i) {
    w->meta_index.emplace(w->meta.columns[i].first, i);
    w->by_name.emplace(w->meta.columns[i].first, static_cast<uint32_t>(i));
    w->names.push_back(w->meta.columns[i].first);
  }
  w->building = w->NewBuffer();
  for (const auto& n : w->names) w->AddColumnToBuilding(n);
  w->cols = w->building->columns.data();
  w->building_first = w->meta.rows;
  w->accepted.store(w->meta.rows);
  w->stored.store(w->meta.rows);
  Impl* raw = w.get();
  w->flusher = std::thread([raw] { raw->Run(); });
  return RecordWriter(std::move(w));
}

Result<ColumnId> RecordWriter::Column(std::string_view name) {
  Impl& w = *impl_;
  auto it = w.by_name.find(name);
  if (it != w.by_name.end()) return ColumnId{it->second};
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("column", name));
  if (name == "__timestamp") {
    return Status::InvalidArgument("invalid column name \"__timestamp\"",
                                   "it is reserved for the row's timestamp (machinable's __timestamp)");
  }
  if (w.names.size() >= kMaxRecordColumns) {
    return Status::InvalidArgument(
        fmt::format("too many columns in scope \"{}\" of experiment {}: cannot add \"{}\"", w.scope, w.id, name),
        fmt::format("a scope may have at most {} columns (kMaxRecordColumns)", kMaxRecordColumns));
  }
  Impl::Guard g(&w);
  uint32_t index = static_cast<uint32_t>(w.names.size());
  w.names.emplace_back(name);
  w.by_name.emplace(w.names.back(), index);
  w.AddColumnToBuilding(w.names.back());
  return ColumnId{index};
}

bool RecordWriter::ResolveForSet(std::string_view name, ColumnId* id) {
  Impl& w = *impl_;
  auto it = w.by_name.find(name);
  if (it != w.by_name.end()) {
    *id = ColumnId{it->second};
    return true;
  }
  auto made = Column(name);
  if (!made.ok()) {
    w.SetError(made.status());
    return false;
  }
  *id = *made;
  return true;
}

void RecordWriter::SetUnsignedTooLarge(ColumnId column) {
  Impl& w = *impl_;
  std::string name = column.index < w.names.size() ? w.names[column.index] : std::to_string(column.index);
  w.SetError(Status::InvalidArgument(fmt::format("value for column \"{}\" is out of range", name),
                                     "unsigned integers above 2^63-1 cannot be stored as int64"));
}

void RecordWriter::Set(ColumnId column, int64_t value) {
  Impl& w = *impl_;
  if (!w.row_open) w.OpenRow();
  if (column.index < w.ncols) {
    ColumnBuffer& c = w.cols[column.index];
    if (c.type == ValueType::kInt64 && c.dense_next == w.row && c.count < c.fixed.size()) {
      c.fixed[c.count++] = static_cast<uint64_t>(value);
      ++c.dense_next;
      ++w.row_cells;
      w.building->value_bytes += 8;
      return;
    }
  }
  w.SetSlow(column, Value(value));
}

void RecordWriter::Set(ColumnId column, double value) {
  Impl& w = *impl_;
  if (!w.row_open) w.OpenRow();
  if (column.index < w.ncols) {
    ColumnBuffer& c = w.cols[column.index];
    if (c.type == ValueType::kDouble && c.dense_next == w.row && c.count < c.fixed.size()) {
      c.fixed[c.count++] = std::bit_cast<uint64_t>(value);
      ++c.dense_next;
      ++w.row_cells;
      w.building->value_bytes += 8;
      return;
    }
  }
  w.SetSlow(column, Value(value));
}

void RecordWriter::Set(ColumnId column, bool value) { impl_->SetSlow(column, Value(value)); }

void RecordWriter::Set(ColumnId column, std::string_view value) {
  Impl& w = *impl_;
  if (!w.row_open) w.OpenRow();
  if (column.index < w.ncols && value.size() <= kMaxRowBytes - w.row_bytes) {
    ColumnBuffer& c = w.cols[column.index];
    if (c.type == ValueType::kString && c.dense_next == w.row) {
      c.bytes.append(value);
      c.ends.push_back(static_cast<uint32_t>(c.bytes.size()));
      ++c.count;
      ++c.dense_next;
      ++w.row_cells;
      w.row_bytes += value.size();
      w.building->value_bytes += value.size() + 4;
      return;
    }
  }
  w.SetSlow(column, Value(value));
}

void RecordWriter::Set(ColumnId column, std::nullptr_t) { impl_->SetSlow(column, Value()); }

void RecordWriter::Set(ColumnId column, const Json& value) {
  auto v = internal::ParseStoredJson(value.text);
  if (!v.ok()) {
    std::string name = column.index < impl_->names.size() ? impl_->names[column.index] : "?";
    impl_->SetError(Status::InvalidArgument(fmt::format("invalid JSON for column \"{}\"", name), v.status().message()));
    return;
  }
  impl_->SetSlow(column, *v);
}

void RecordWriter::Set(ColumnId column, const Value& value) { impl_->SetSlow(column, value); }

void RecordWriter::Unset(ColumnId column) {
  Impl& w = *impl_;
  if (!w.row_open || column.index >= w.ncols) return;
  ColumnBuffer& c = w.cols[column.index];
  if (c.Present(w.row)) w.RemoveCell(c);
}

void RecordWriter::Unset(std::string_view column) {
  auto it = impl_->by_name.find(column);
  if (it != impl_->by_name.end()) Unset(ColumnId{it->second});
}

void RecordWriter::SetTimestamp(Timestamp at) {
  Impl& w = *impl_;
  if (!w.row_open) w.OpenRow();
  w.row_ts = at;
}

void RecordWriter::Discard() {
  Impl& w = *impl_;
  if (!w.row_open) return;
  for (uint32_t i = 0; i < w.ncols; ++i) {
    if (w.cols[i].Present(w.row)) w.RemoveCell(w.cols[i]);
  }
  w.CloseRow();
}

Status RecordWriter::Save(bool force) {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError("save a row");
  if (!w.row_open) {
    if (!force) return Status::OK();
    w.OpenRow();
  }
  if (!w.row_error.ok() || (w.row_cells == 0 && !force) || w.has_bg_error.load(std::memory_order_relaxed)) [[unlikely]] {
    Status s = w.row_error.ok() ? (w.row_cells == 0 && !force ? Status::OK() : w.BackgroundError()) : w.row_error;
    Discard();
    return s;
  }
  ChunkBuffer& b = *w.building;
  int64_t now;
  if (!w.row_ts) [[likely]] {
    now = w.clock.NowMicros();
    if (now >= w.offset_until) [[unlikely]] w.RefreshOffset(now);
    b.micros[w.row] = now;
    b.utc_offsets[w.row] = w.utc_offset;
  } else {
    b.micros[w.row] = w.row_ts->unix_micros;
    b.utc_offsets[w.row] = w.row_ts->utc_offset_seconds;
    now = internal::RealtimeMicros();
  }
  b.rows = ++w.row;
  w.saved_any = true;
  w.accepted.store(w.accepted.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (w.row == 1 && w.opt.flush_interval_ms != 0) w.deadline = now + int64_t{w.opt.flush_interval_ms} * 1000;
  if (w.row >= w.opt.flush_rows || b.value_bytes >= w.opt.flush_bytes || now >= w.deadline) [[unlikely]] {
    w.row_open = false;  // the row is complete: nothing moves to the next buffer
    w.Seal();
  }
  w.CloseRow();
  return Status::OK();
}

Status RecordWriter::Flush() {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError("flush");
  {
    Impl::Guard g(&w);
    if (w.building->rows > 0) w.Seal();
  }
  w.WaitIdle();
  return w.BackgroundError();
}

Status RecordWriter::Close() {
  if (!impl_) return Status::OK();
  Impl& w = *impl_;
  if (w.closed) return Status::OK();
  Discard();
  Status s = Flush();
  {
    std::lock_guard lk(w.mu);
    w.stop = true;
    w.cv.notify_all();
  }
  if (w.flusher.joinable()) w.flusher.join();
  {
    std::lock_guard lk(g_open_mu);
    OpenScopes().erase(w.registry_key);
  }
  w.closed = true;
  return s;
}

Row RecordWriter::Current() const {
  Impl& w = *impl_;
  Impl::Guard g(&w);
  return w.Materialize(*w.building, w.row, w.building_first + w.row, w.row_ts.value_or(Timestamp{}));
}

Result<Row> RecordWriter::Last() const {
  Impl& w = *impl_;
  if (w.saved_any) {
    Impl::Guard g(&w);
    if (w.row > 0) return w.MaterializeSaved(*w.building, w.row - 1, w.building_first);
    std::lock_guard lk(w.mu);
    if (w.last_row) return *w.last_row;
  }
  auto rows = internal::ReadRowsOf(*w.st, w.id, w.exp_key, w.scope, RowRange{.start = -1});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound(fmt::format("scope \"{}\" of experiment {} has no rows", w.scope, w.id));
  return std::move(rows->front());
}

uint64_t RecordWriter::accepted_rows() const { return impl_->accepted.load(std::memory_order_relaxed); }
uint64_t RecordWriter::stored_rows() const { return impl_->stored.load(std::memory_order_acquire); }
const std::string& RecordWriter::experiment_id() const { return impl_->id; }
const std::string& RecordWriter::scope() const { return impl_->scope; }

}  // namespace labstore
