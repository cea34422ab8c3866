// ReadColumns (labstore/record_reader.h): a scope's rows as typed columns,
// appended chunk by chunk. The output vectors are sized once from the row
// count of the range; a large read decodes its chunks on worker threads
// ahead of the appending (ChunkScanner::DecodeAhead).
#include <algorithm>
#include <compare>
#include <cstring>
#include <iterator>
#include <thread>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk_scanner.h"
#include "record/numeric.h"
#include "record/value_json.h"
#include "util/huge_pages.h"
#include "util/return_if_error.h"

namespace labstore {

using internal::ChunkScanner;
using internal::DecodedColumn;

const ColumnData* RecordColumns::Find(std::string_view name) const {
  for (const ColumnData& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

// Reads of at least this many rows decode ahead on worker threads (below it,
// starting threads costs more than it saves).
constexpr uint64_t kDecodeAheadRows = 65536;

// Worker threads for decoding ahead: one per core besides the caller's, up to 3.
unsigned DecodeAheadWorkers(uint64_t rows) {
  if (rows < kDecodeAheadRows) return 0;
  unsigned cores = std::thread::hardware_concurrency();
  return cores <= 1 ? 0 : std::min(cores - 1, 3u);
}

// Reserves room for `n` elements. A buffer allocated here is untouched, so it
// is hinted for huge pages: first touch then faults once per 2 MiB.
template <typename T>
void ReserveExactly(std::vector<T>* v, size_t n) {
  if (v->capacity() >= n) return;
  v->reserve(n);
  internal::AdviseHugePages(v->data(), v->capacity() * sizeof(T));
}

// The 8-byte little-endian doubles of a decoded column as a random-access
// range, so that vector::insert copies them into place in one pass (a resize
// first would zero-fill, and so first touch, the fresh memory a second time).
class DoubleBytesIterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = double;
  using difference_type = std::ptrdiff_t;
  using pointer = const double*;
  using reference = double;

  explicit DoubleBytesIterator(const char* p) : p_(p) {}
  double operator*() const {
    double d;
    std::memcpy(&d, p_, 8);
    return d;
  }
  double operator[](difference_type i) const { return *(*this + i); }
  DoubleBytesIterator& operator++() { return p_ += 8, *this; }
  DoubleBytesIterator operator++(int) { return DoubleBytesIterator(std::exchange(p_, p_ + 8)); }
  DoubleBytesIterator& operator--() { return p_ -= 8, *this; }
  DoubleBytesIterator operator--(int) { return DoubleBytesIterator(std::exchange(p_, p_ - 8)); }
  DoubleBytesIterator& operator+=(difference_type n) { return p_ += n * 8, *this; }
  DoubleBytesIterator& operator-=(difference_type n) { return p_ -= n * 8, *this; }
  DoubleBytesIterator operator+(difference_type n) const { return DoubleBytesIterator(p_ + n * 8); }
  DoubleBytesIterator operator-(difference_type n) const { return DoubleBytesIterator(p_ - n * 8); }
  difference_type operator-(const DoubleBytesIterator& o) const { return (p_ - o.p_) / 8; }
  auto operator<=>(const DoubleBytesIterator&) const = default;

 private:
  const char* p_;
};

// Appends one chunk's rows to one output column. Masks stay empty while every
// row so far is a yes and are materialized at the first no.
class ColumnAppender {
 public:
  ColumnAppender(ColumnData* out, size_t rows) : out_(out), rows_(rows) {
    switch (out->type) {
      case ValueType::kInt64: ReserveExactly(&out->ints, rows); break;
      case ValueType::kDouble: ReserveExactly(&out->doubles, rows); break;
      case ValueType::kBool: ReserveExactly(&out->bools, rows); break;
      case ValueType::kString:
      case ValueType::kJson:
        ReserveExactly(&out->offsets, rows + 1);
        out->offsets.push_back(0);
        break;
      case ValueType::kNull: break;
    }
  }

  // Rows the chunk does not have this column in.
  void AppendAbsent(size_t n) {
    Mask(&out_->present, &all_present_, false, n);
    Mask(&out_->valid, &all_valid_, false, n);
    AppendEmptyValues(n);
    filled_ += n;
  }

  Status Append(const DecodedColumn& col, uint32_t lo, uint32_t hi) {
    const uint32_t n = hi - lo;
    const bool int_as_double = col.type == ValueType::kInt64 && out_->type == ValueType::kDouble;
    if (col.type != ValueType::kNull && col.type != out_->type && out_->type != ValueType::kJson && !int_as_double) {
      return Status::Corruption(fmt::format("column \"{}\" is {} in a chunk but {} in the scope metadata", col.name,
                                            ValueTypeName(col.type), ValueTypeName(out_->type)));
    }
    if (col.present == nullptr) {
      Mask(&out_->present, &all_present_, true, n);
    } else {
      Materialize(&out_->present, &all_present_);
      for (uint32_t r = lo; r < hi; ++r) out_->present.push_back(col.Present(r));
    }
    const bool dense = col.type != ValueType::kNull && col.present == nullptr && col.valid == nullptr;
    if (dense) {
      Mask(&out_->valid, &all_valid_, true, n);
    } else {
      Materialize(&out_->valid, &all_valid_);
      for (uint32_t r = lo; r < hi; ++r) out_->valid.push_back(col.Valid(r));
    }
    filled_ += n;
    if (col.type == ValueType::kNull) {
      AppendEmptyValues(n);
      return Status::OK();
    }
    uint32_t vi = lo;  // value index of row lo
    if (!dense) {
      vi = 0;
      for (uint32_t r = 0; r < lo; ++r) vi += col.Valid(r);
    }
    if (out_->type == ValueType::kJson && col.type != ValueType::kJson) {
      for (uint32_t r = lo; r < hi; ++r) {
        if (col.Valid(r)) internal::AppendStoredJson(&out_->bytes, col.Get(vi++));
        out_->offsets.push_back(out_->bytes.size());
      }
      return Status::OK();
    }
    if (int_as_double) {  // an int64 chunk of a column that has doubles in other chunks
      for (uint32_t r = lo; r < hi; ++r) {
        out_->doubles.push_back(col.Valid(r) ? static_cast<double>(col.ints[vi++]) : 0.0);
      }
      return Status::OK();
    }
    switch (col.type) {
      case ValueType::kInt64:
        if (dense) {
          out_->ints.insert(out_->ints.end(), col.ints.begin() + vi, col.ints.begin() + vi + n);
        } else {
          for (uint32_t r = lo; r < hi; ++r) out_->ints.push_back(col.Valid(r) ? col.ints[vi++] : 0);
        }
        break;
      case ValueType::kDouble:
        if (dense) {
          const DoubleBytesIterator first(col.doubles + size_t{vi} * 8);
          out_->doubles.insert(out_->doubles.end(), first, first + n);
        } else {
          for (uint32_t r = lo; r < hi; ++r) out_->doubles.push_back(col.Valid(r) ? col.DoubleAt(vi++) : 0.0);
        }
        break;
      case ValueType::kBool:
        for (uint32_t r = lo; r < hi; ++r) out_->bools.push_back(col.Valid(r) ? col.BoolAt(vi++) : 0);
        break;
      case ValueType::kString:
      case ValueType::kJson:
        if (dense) {
          uint32_t b = col.str_offsets[vi], e = col.str_offsets[vi + n];
          uint64_t base = out_->bytes.size() - b;
          out_->bytes.append(col.str_bytes + b, e - b);
          for (uint32_t i = 1; i <= n; ++i) out_->offsets.push_back(base + col.str_offsets[vi + i]);
        } else {
          for (uint32_t r = lo; r < hi; ++r) {
            if (col.Valid(r)) out_->bytes.append(col.StringAt(vi++));
            out_->offsets.push_back(out_->bytes.size());
          }
        }
        if (filled_ == n) ReserveBytes();
        break;
      case ValueType::kNull: break;
    }
    return Status::OK();
  }

 private:
  void Materialize(std::vector<uint8_t>* mask, bool* all) {
    if (*all) {
      mask->reserve(filled_ + 1);
      mask->assign(filled_, 1);
      *all = false;
    }
  }
  void Mask(std::vector<uint8_t>* mask, bool* all, bool value, size_t n) {
    if (*all && value) return;
    Materialize(mask, all);
    mask->insert(mask->end(), n, value ? 1 : 0);
  }
  // After the first rows: room for all rows' text at their bytes per row and
  // a quarter more, allocated once instead of doubled (and faulted) again and again.
  void ReserveBytes() {
    const double per_row = static_cast<double>(out_->bytes.size()) / static_cast<double>(filled_) * 1.25;
    const size_t estimate = static_cast<size_t>(per_row * static_cast<double>(rows_)) + 64;
    if (out_->bytes.capacity() >= estimate) return;
    std::string bytes;
    bytes.reserve(estimate);
    internal::AdviseHugePages(bytes.data(), bytes.capacity());
    bytes.append(out_->bytes);
    out_->bytes.swap(bytes);
  }
  void AppendEmptyValues(size_t n) {
    switch (out_->type) {
      case ValueType::kInt64: out_->ints.insert(out_->ints.end(), n, 0); break;
      case ValueType::kDouble: out_->doubles.insert(out_->doubles.end(), n, 0.0); break;
      case ValueType::kBool: out_->bools.insert(out_->bools.end(), n, 0); break;
      case ValueType::kString:
      case ValueType::kJson: out_->offsets.insert(out_->offsets.end(), n, out_->bytes.size()); break;
      case ValueType::kNull: break;
    }
  }

  ColumnData* out_;
  size_t rows_;  // rows of the whole read
  size_t filled_ = 0;
  bool all_present_ = true, all_valid_ = true;
};

}  // namespace

Status ReadColumns(const Store& store, std::string_view experiment_id, std::string_view scope, const RowRange& range,
                   RecordColumns* result) {
  ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*internal::StateOf(store), experiment_id, scope, range));
  RecordColumns& out = *result;
  out.first_row = scan.begin();
  out.rows = scan.end() - scan.begin();
  const size_t rows = out.rows;
  out.timestamps.clear();
  out.utc_offsets.clear();
  ReserveExactly(&out.timestamps, rows);
  ReserveExactly(&out.utc_offsets, rows);
  const size_t ncols = scan.meta().columns.size();
  out.columns.resize(ncols);
  std::unordered_map<std::string_view, size_t> index;
  std::vector<ColumnAppender> appenders;
  appenders.reserve(ncols);
  for (size_t i = 0; i < ncols; ++i) {
    ColumnData& c = out.columns[i];
    c.name = scan.meta().columns[i].first;
    c.type = scan.meta().columns[i].second;
    // Keep the capacity of a reused result.
    c.valid.clear();
    c.present.clear();
    c.ints.clear();
    c.doubles.clear();
    c.bools.clear();
    c.offsets.clear();
    c.bytes.clear();
    index.emplace(c.name, i);
    appenders.emplace_back(&c, rows);
  }
  std::vector<int> source(ncols);
  scan.DecodeAhead(DecodeAheadWorkers(rows));
  while (scan.Next()) {
    const internal::DecodedChunk& ch = scan.chunk();
    const uint32_t lo = scan.lo(), hi = scan.hi();
    out.timestamps.insert(out.timestamps.end(), ch.micros.begin() + lo, ch.micros.begin() + hi);
    out.utc_offsets.insert(out.utc_offsets.end(), ch.utc_offsets.begin() + lo, ch.utc_offsets.begin() + hi);
    std::fill(source.begin(), source.end(), -1);
    auto damaged = [&](std::string_view why) {
      return Status::Corruption(fmt::format("damaged scope \"{}\" of experiment {}: rows {}..{}", scope, experiment_id,
                                            ch.first_row + lo, ch.first_row + hi - 1),
                                why);
    };
    for (size_t k = 0; k < ch.columns.size(); ++k) {
      auto it = index.find(ch.columns[k].name);
      if (it == index.end()) {
        return damaged(fmt::format("column \"{}\" is missing from the scope metadata", ch.columns[k].name));
      }
      source[it->second] = static_cast<int>(k);
    }
    for (size_t i = 0; i < ncols; ++i) {
      if (source[i] < 0) {
        appenders[i].AppendAbsent(hi - lo);
        continue;
      }
      Status s = appenders[i].Append(ch.columns[source[i]], lo, hi);
      if (!s.ok()) return damaged(s.message());
    }
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  // Scopes written before int/double columns existed list them as json.
  for (ColumnData& c : out.columns) {
    if (c.type == ValueType::kJson) internal::NarrowJsonColumn(&c);
  }
  return Status::OK();
}

Result<RecordColumns> ReadColumns(const Store& store, std::string_view experiment_id, std::string_view scope,
                                  const RowRange& range) {
  RecordColumns out;
  LABSTORE_RETURN_IF_ERROR(ReadColumns(store, experiment_id, scope, range, &out));
  return out;
}

}  // namespace labstore
