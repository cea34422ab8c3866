// RecordWriter::Impl: building rows, sealing chunks, the background thread.
#include "record/writer_impl.h"

#include <algorithm>
#include <bit>
#include <chrono>

#include "record/scope.h"

namespace labstore {

using internal::ChunkBuffer;
using internal::ColumnBuffer;

namespace {

size_t CellBytes(const Value& v) {
  if (v.type() == ValueType::kString) return v.as_string().size();
  if (v.type() == ValueType::kJson) return v.json_text().size();
  return 0;
}

}  // namespace

std::unique_ptr<ChunkBuffer> RecordWriter::Impl::NewBuffer() {
  auto b = std::make_unique<ChunkBuffer>();
  b->micros.resize(opt.flush_rows);
  b->utc_offsets.resize(opt.flush_rows);
  return b;
}

void RecordWriter::Impl::AddColumnToBuilding(const std::string& name) {
  building->columns.emplace_back();
  building->columns.back().name = name;
  cols = building->columns.data();
  ncols = static_cast<uint32_t>(building->columns.size());
}

Row RecordWriter::Impl::Materialize(const ChunkBuffer& b, uint32_t r, uint64_t index, Timestamp ts) const {
  Row out;
  out.index = index;
  out.timestamp = ts;
  for (const ColumnBuffer& c : b.columns) {
    if (!c.Present(r)) continue;
    out.cells.emplace_back(c.name, c.Valid(r) ? c.Get(c.ValueIndex(r)) : Value());
  }
  return out;
}

Row RecordWriter::Impl::MaterializeSaved(const ChunkBuffer& b, uint32_t r, uint64_t first) const {
  return Materialize(b, r, first + r, Timestamp{b.micros[r], b.utc_offsets[r]});
}

void RecordWriter::Impl::RemoveCell(ColumnBuffer& c) {
  if (c.Valid(row)) {
    --c.count;
    if (c.type == ValueType::kDouble) c.MarkInt(c.count, false);
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

void RecordWriter::Impl::AppendValue(ColumnBuffer& c, const Value& v) {
  switch (c.type) {
    case ValueType::kInt64:
    case ValueType::kDouble:
    case ValueType::kBool: {
      if (c.count >= c.fixed.size()) c.GrowFixed();
      uint64_t bits = v.type() == ValueType::kInt64    ? static_cast<uint64_t>(v.as_int64())
                      : v.type() == ValueType::kDouble ? std::bit_cast<uint64_t>(v.as_double())
                                                       : uint64_t{v.as_bool()};
      if (c.type == ValueType::kDouble && v.type() == ValueType::kInt64) c.MarkInt(c.count, true);
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

void RecordWriter::Impl::SetSlow(ColumnId column, const Value& v) {
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
      auto number = [](ValueType t) { return t == ValueType::kInt64 || t == ValueType::kDouble; };
      if (number(c.type) && number(v.type())) {
        // Ints and doubles make a double column; each int keeps its spelling.
        if (c.type == ValueType::kInt64) c.PromoteToDouble();
      } else {
        c.ConvertToJson();  // a column of mixed types keeps JSON text
      }
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

void RecordWriter::Impl::SetError(Status s) {
  if (!row_open) OpenRow();
  if (row_error.ok()) row_error = std::move(s);
}

void RecordWriter::Impl::RefreshOffset(int64_t now) {
  time_t secs = static_cast<time_t>(now / 1000000);
  struct tm local;
  localtime_r(&secs, &local);
  utc_offset = static_cast<int32_t>(local.tm_gmtoff);
  offset_until = (now / 60000000 + 1) * 60000000;  // offsets change on whole minutes
}

void RecordWriter::Impl::Seal() {
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

Status RecordWriter::Impl::WriteChunk(const ChunkBuffer& b, uint64_t first) {
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
    wo.disableWAL = opt.disable_wal;
    s = st->db->Write(wo, &batch);
  }
  if (!s.ok()) {
    meta.rows = old.rows;
    meta.chunks = old.chunks;
    meta.bytes = old.bytes;
    for (auto& [i, t] : old_types) meta.columns[i].second = t;
    for (size_t i = old_columns; i < meta.columns.size(); ++i) meta_index.erase(meta.columns[i].first);
    meta.columns.resize(old_columns);
    return internal::FromRocks(s, fmt::format("cannot store rows {}..{} of scope \"{}\" of experiment {}", first,
                                              first + b.rows - 1, scope, id));
  }
  stored.store(meta.rows, std::memory_order_release);
  return Status::OK();
}

void RecordWriter::Impl::TryIdleFlush() {
  if (!TryLockRow()) return;  // the caller is building a row or saving: its Save checks the deadline
  // The caller may have sealed a chunk since Run() last looked; only this
  // thread empties `inflight`, so sealing now would wait for itself. Only a
  // holder of row_lock fills it, so the answer holds while we hold it.
  bool busy;
  {
    std::lock_guard lk(mu);
    busy = inflight != nullptr;
  }
  if (!busy && building->rows > 0 && internal::RealtimeMicros() >= deadline) Seal();
  UnlockRow();
}

void RecordWriter::Impl::Run() {
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

}  // namespace labstore
