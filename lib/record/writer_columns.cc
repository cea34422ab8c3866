// RecordWriter::SaveColumns: many rows given column by column, appended to
// the chunk being built a chunk-sized segment at a time. A column whose
// buffer is dense up to the segment (every earlier row has a value) and of
// the batch's type takes the segment's values in one copy; any other column
// (a new column mid-chunk, ints into a double column, null cells) takes them
// cell by cell through SetSlow, which leaves the buffer as Set() would.
#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "record/writer_impl.h"
#include "util/return_if_error.h"

namespace labstore {

using internal::ChunkBuffer;
using internal::ColumnBuffer;

namespace {

Value CellAt(const ColumnBatch::Column& c, size_t i) {
  switch (c.type) {
    case ValueType::kInt64: return Value(static_cast<const int64_t*>(c.values)[i]);
    case ValueType::kDouble: return Value(static_cast<const double*>(c.values)[i]);
    default: return Value(static_cast<const bool*>(c.values)[i]);
  }
}

bool AllValid(const ColumnBatch::Column& c, size_t start, size_t n) {
  if (c.valid == nullptr) return true;
  return std::find(c.valid + start, c.valid + start + n, uint8_t{0}) == c.valid + start + n;
}

}  // namespace

Status RecordWriter::Impl::CheckBatch(const ColumnBatch& batch) const {
  if (row_open) {
    return Status::InvalidArgument(
        fmt::format("cannot save columns to scope \"{}\" of experiment {}: a row is being built", scope, id),
        "Save() or Discard() it first");
  }
  if (batch.rows > 0 && batch.columns.empty()) {
    return Status::InvalidArgument(fmt::format("invalid column batch of {} rows: it has no columns", batch.rows));
  }
  std::vector<bool> seen(ncols, false);
  for (const ColumnBatch::Column& c : batch.columns) {
    if (c.id.index >= ncols) {
      return Status::InvalidArgument(fmt::format("unknown column id {} for scope \"{}\"", c.id.index, scope),
                                     fmt::format("this writer has {} columns", ncols));
    }
    const std::string& name = names[c.id.index];
    if (seen[c.id.index]) return Status::InvalidArgument(fmt::format("column \"{}\" appears twice in a batch", name));
    seen[c.id.index] = true;
    if (c.type != ValueType::kInt64 && c.type != ValueType::kDouble && c.type != ValueType::kBool) {
      return Status::InvalidArgument(fmt::format("invalid type {} for column \"{}\" in a batch", ValueTypeName(c.type),
                                                 name), "a batch holds int64, double or bool arrays");
    }
    if (c.values == nullptr && batch.rows > 0) {
      return Status::InvalidArgument(fmt::format("column \"{}\" of a batch has no values", name));
    }
  }
  return Status::OK();
}

// Rows [start, start + n) that fit the chunk being built: the rows left
// before flush_rows, and no more than take value_bytes to flush_bytes (the
// row that reaches it is the chunk's last, as with Save()).
size_t RecordWriter::Impl::SegmentRows(const ColumnBatch& batch, size_t start) const {
  size_t n = std::min<size_t>(batch.rows - start, opt.flush_rows - row);
  const size_t widest = 8 * batch.columns.size();
  const size_t bytes = building->value_bytes;
  if (bytes + widest * n < opt.flush_bytes) return n;
  size_t total = bytes;
  for (size_t r = 0; r < n; ++r) {
    for (const ColumnBatch::Column& c : batch.columns) total += c.valid == nullptr || c.valid[start + r] ? 8 : 0;
    if (total >= opt.flush_bytes) return r + 1;
  }
  return n;
}

void RecordWriter::Impl::AppendSegment(const ColumnBatch::Column& in, size_t start, uint32_t n) {
  ColumnBuffer& c = cols[in.id.index];
  const bool same_type = c.type == in.type || (c.type == ValueType::kNull && c.count == 0);
  if (!c.sparse() && c.dense_next == row && same_type && AllValid(in, start, n)) {
    c.type = in.type;
    while (c.fixed.size() < size_t{c.count} + n) c.GrowFixed();
    uint64_t* dst = c.fixed.data() + c.count;
    if (in.type == ValueType::kBool) {
      const bool* src = static_cast<const bool*>(in.values) + start;
      for (uint32_t i = 0; i < n; ++i) dst[i] = src[i] ? 1 : 0;
    } else {
      std::memcpy(dst, static_cast<const uint64_t*>(in.values) + start, size_t{n} * 8);
    }
    c.count += n;
    c.dense_next += n;
    building->value_bytes += size_t{n} * 8;
    return;
  }
  const uint32_t first = row;
  for (uint32_t i = 0; i < n; ++i) {
    row = first + i;
    SetSlow(in.id, in.valid == nullptr || in.valid[start + i] ? CellAt(in, start + i) : Value());
  }
  row = first;
}

Status RecordWriter::Impl::SaveBatch(const ColumnBatch& batch) {
  for (size_t start = 0; start < batch.rows;) {
    if (has_bg_error.load(std::memory_order_relaxed)) [[unlikely]] return BackgroundError();
    OpenRow();
    const uint32_t n = static_cast<uint32_t>(SegmentRows(batch, start));
    for (const ColumnBatch::Column& c : batch.columns) AppendSegment(c, start, n);
    ChunkBuffer& b = *building;
    int64_t now;
    if (batch.timestamps == nullptr) {
      now = clock.NowMicros();
      if (now >= offset_until) RefreshOffset(now);
      std::fill_n(b.micros.begin() + row, n, now);
      std::fill_n(b.utc_offsets.begin() + row, n, utc_offset);
    } else {
      std::copy_n(batch.timestamps + start, n, b.micros.begin() + row);
      std::fill_n(b.utc_offsets.begin() + row, n, batch.utc_offset_seconds);
      now = internal::RealtimeMicros();
    }
    if (row == 0 && opt.flush_interval_ms != 0) deadline = now + int64_t{opt.flush_interval_ms} * 1000;
    row += n;
    b.rows = row;
    saved_any = true;
    accepted.store(accepted.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    row_open = false;  // every row of the segment is complete
    if (row >= opt.flush_rows || b.value_bytes >= opt.flush_bytes || now >= deadline) Seal();
    CloseRow();
    start += n;
  }
  return Status::OK();
}

Status RecordWriter::SaveColumns(const ColumnBatch& batch) {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError("save rows");
  LABSTORE_RETURN_IF_ERROR(w.CheckBatch(batch));
  return w.SaveBatch(batch);
}

}  // namespace labstore
