// RecordWriter's public methods; the state and the background thread are in
// writer_impl.h / writer_impl.cc.
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "experiment/lookup.h"
#include "labstore/record.h"
#include "labstore/store.h"
#include "record/open_writers.h"
#include "record/read.h"
#include "record/scope.h"
#include "record/writer_impl.h"
#include "store/claims.h"
#include "util/return_if_error.h"

namespace labstore {

using internal::ChunkBuffer;
using internal::ColumnBuffer;

namespace {

// (store, experiment key, scope) triples with an open writer in this process.
internal::Claims& OpenScopes() {
  static internal::Claims open;
  return open;
}

}  // namespace

std::string internal::ScopeClaimKey(const void* store_state, std::string_view experiment_key, std::string_view scope) {
  return internal::StoreClaimPrefix(store_state) + std::string(experiment_key) + std::string(scope);
}

bool internal::ClaimScope(const std::string& claim) { return OpenScopes().Claim(claim); }

void internal::ReleaseScope(const std::string& claim) { OpenScopes().Release(claim); }

std::optional<std::string> internal::OpenRecordScope(const internal::StoreState* st, std::string_view experiment_key) {
  std::string prefix = internal::ScopeClaimKey(st, experiment_key, "");
  auto claim = OpenScopes().FirstWithPrefix(prefix);
  if (!claim) return std::nullopt;
  return claim->substr(prefix.size());
}

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
  internal::StoreState* st = internal::StateOf(store);
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  if (options.flush_rows == 0 || options.flush_rows > (1u << 20)) {
    return Status::InvalidArgument(fmt::format("invalid RecordOptions::flush_rows {}", options.flush_rows),
                                   "it must be in 1..1048576");
  }
  if (options.sync && options.disable_wal) {
    return Status::InvalidArgument("invalid RecordOptions: sync with disable_wal", "sync needs the write-ahead log");
  }
  if (options.flush_bytes == 0)
    return Status::InvalidArgument("invalid RecordOptions::flush_bytes 0", "it must be positive");
  if (static_cast<uint8_t>(options.compression) > 2)
    return Status::InvalidArgument("invalid RecordOptions::compression");
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
  w->registry_key = internal::ScopeClaimKey(st, *key, w->scope);

  // The claim first, then the scope's rows: a writer closed meanwhile has
  // stored all of its rows (doc/many-writers.md, "As built").
  if (!internal::ClaimScope(w->registry_key)) {
    return Status::Busy(fmt::format("scope \"{}\" of experiment {} already has an open writer", scope, experiment_id),
                        "close it first; one writer per scope");
  }
  auto meta = internal::LoadScopeChecked(*st, w->id, *key, w->scope);
  if (!meta.ok()) {
    internal::ReleaseScope(w->registry_key);
    return meta.status();
  }
  w->meta = std::move(*meta);
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
  w->Register(st->handles);
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
  const uint32_t at = w.name_cursor;
  if (at < w.name_order.size()) {
    const std::string& guess = w.names[w.name_order[at]];
    if (guess.size() == name.size() && std::memcmp(guess.data(), name.data(), name.size()) == 0) [[likely]] {
      *id = ColumnId{w.name_order[at]};
      w.name_cursor = at + 1;
      return true;
    }
  }
  auto it = w.by_name.find(name);
  if (it != w.by_name.end()) {
    *id = ColumnId{it->second};
  } else {
    auto made = Column(name);
    if (!made.ok()) {
      w.SetError(made.status());
      return false;
    }
    *id = *made;
  }
  if (at < w.name_order.size()) {
    w.name_order[at] = id->index;
  } else if (at < kMaxRecordColumns) {
    w.name_order.push_back(id->index);
  }
  w.name_cursor = at + 1;
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

void RecordWriter::Discard() { impl_->DiscardRow(); }

void RecordWriter::Impl::DiscardRow() {
  if (!row_open) return;
  for (uint32_t i = 0; i < ncols; ++i) {
    if (cols[i].Present(row)) RemoveCell(cols[i]);
  }
  CloseRow();
}

Status RecordWriter::Save(bool force) {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError("save a row");
  if (!w.row_open) {
    if (!force) return Status::OK();
    w.OpenRow();
  }
  if (!w.row_error.ok() || (w.row_cells == 0 && !force) || w.has_bg_error.load(std::memory_order_relaxed))
      [[unlikely]] {
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
  return w.FlushRows();
}

Status RecordWriter::Impl::FlushRows() {
  {
    Guard g(this);
    if (building->rows > 0) Seal();
  }
  WaitIdle();
  return BackgroundError();
}

Status RecordWriter::Close() {
  if (!impl_) return Status::OK();
  Impl& w = *impl_;
  if (w.closed) return w.ended_open ? w.ClosedError("close it") : Status::OK();
  return w.Shutdown();
}

Status RecordWriter::Impl::Shutdown() {
  DiscardRow();
  Status s = FlushRows();
  {
    std::lock_guard lk(mu);
    stop = true;
    cv.notify_all();
  }
  if (flusher.joinable()) flusher.join();
  internal::ReleaseScope(registry_key);
  closed = true;
  return s;
}

Status RecordWriter::Impl::EndWithStore(std::string_view by) {
  ended_open = !closed;
  Status s = closed ? Status::OK() : Shutdown();
  ended_by = std::string(by);
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
  if (w.ended_open) return w.ClosedError("read the last row");
  if (!w.ended_by.empty()) {
    return Status::InvalidArgument(
        fmt::format("cannot read the last row of scope \"{}\" of experiment {}: its store was closed", w.scope, w.id));
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
