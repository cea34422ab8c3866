// Reading records: scope metadata, chunk scanning, rows and typed columns.
#include <algorithm>
#include <bit>
#include <unordered_map>

#include <fmt/format.h>
#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/numeric.h"
#include "record/read.h"
#include "record/scope.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore {
namespace internal {

Result<ScopeInfo> LoadScope(const StoreState& st, std::string_view id, std::string_view exp_key, std::string_view scope) {
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::string value;
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfScopes), ScopeKey(exp_key, scope), &value);
  if (s.IsNotFound()) {
    ScopeInfo empty;
    empty.name = std::string(scope);
    return empty;
  }
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read scope \"{}\" of experiment {}", scope, id));
  auto info = DecodeScopeMeta(scope, value);
  if (!info.ok()) {
    return Status(info.status().IsNotSupported()
                      ? Status::NotSupported(fmt::format("scope \"{}\" of experiment {}", scope, id), info.status().message())
                      : Status::Corruption(fmt::format("damaged metadata of scope \"{}\" of experiment {}", scope, id),
                                           info.status().message()));
  }
  return info;
}

Result<ScopeInfo> LoadScopeChecked(const StoreState& st, std::string_view id, std::string_view exp_key,
                                   std::string_view scope) {
  auto info = LoadScope(st, id, exp_key, scope);
  if (!info.ok() || info->rows > 0) return info;
  // A new scope: its records keys must not collide with another scope's.
  uint64_t hash = Hash64(scope);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(ro, st.handle(kCfScopes)));
  for (it->Seek(rocksdb::Slice(exp_key.data(), exp_key.size())); it->Valid() && it->key().starts_with(rocksdb::Slice(exp_key.data(), exp_key.size())); it->Next()) {
    std::string_view other(it->key().data() + exp_key.size(), it->key().size() - exp_key.size());
    if (other != scope && Hash64(other) == hash) {
      return Status::InvalidArgument(fmt::format("scope name \"{}\" collides with scope \"{}\" of experiment {}", scope, other, id),
                                     "their 64-bit hashes are equal; choose another name");
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot list scopes");
  return info;
}

Status ChunkScanner::Open(const StoreState& st, std::string_view id, std::string_view scope, const RowRange& range) {
  LABSTORE_RETURN_IF_ERROR(ValidateRecordName("scope", scope));
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  return OpenKey(st, id, *key, scope, range);
}

Status ChunkScanner::OpenKey(const StoreState& st, std::string_view id, std::string_view exp_key, std::string_view scope,
                             const RowRange& range) {
  st_ = &st;
  id_ = std::string(id);
  exp_key_ = std::string(exp_key);
  scope_ = std::string(scope);
  auto meta = LoadScope(st, id, exp_key, scope);
  if (!meta.ok()) return meta.status();
  meta_ = std::move(*meta);
  const uint64_t n = meta_.rows;
  if (range.start >= 0) {
    begin_ = std::min<uint64_t>(static_cast<uint64_t>(range.start), n);
  } else {
    uint64_t back = range.start == INT64_MIN ? uint64_t{1} << 63 : static_cast<uint64_t>(-range.start);
    begin_ = back >= n ? 0 : n - back;
  }
  end_ = begin_ + std::min(range.count, n - begin_);
  next_row_ = begin_;
  prefix_ = RecordPrefix(exp_key, scope);
  lower_ = prefix_;
  PutBigEndian64(&lower_, 0);
  upper_ = prefix_;
  PutBigEndian64(&upper_, end_);
  started_ = false;
  return Status::OK();
}

Status ChunkScanner::Damaged(uint64_t start, std::string_view value, std::string_view reason) {
  uint32_t rows = 0;
  uint64_t first = 0;
  std::string range = fmt::format("rows from {}", start);
  if (PeekChunk(value, &rows, &first) && first == start && rows > 0 && rows <= (1u << 20) && start + rows <= meta_.rows) {
    range = fmt::format("rows {}..{}", start, start + rows - 1);
  } else {
    // The header is not to be trusted: the chunk ends where the next begins.
    uint64_t end = meta_.rows;
    it_->Next();
    if (it_->Valid() && it_->key().starts_with(prefix_) && it_->key().size() == prefix_.size() + 8) {
      end = GetBigEndian64(std::string_view(it_->key().data() + prefix_.size(), 8));
    }
    if (end > start) range = fmt::format("rows {}..{}", start, end - 1);
  }
  return Status::Corruption(fmt::format("damaged record chunk: experiment {} scope \"{}\" {}", id_, scope_, range), reason);
}

void ChunkScanner::End(Status why) {
  it_.reset();
  status_ = std::move(why);
}

bool ChunkScanner::Next() {
  if (!status_.ok() || next_row_ >= end_) return false;
  if (!started_) {
    started_ = true;
    rocksdb::ReadOptions ro;
    ro.verify_checksums = false;  // every chunk carries its own XXH3 checksum, checked in DecodeChunk
    ro.fill_cache = false;        // a scan should not evict the block cache's hot metadata
    it_.reset(st_->db->NewIterator(ro, st_->handle(kCfRecords)));
    std::string target = prefix_;
    PutBigEndian64(&target, begin_);
    it_->SeekForPrev(target);
    if (!it_->Valid() || !it_->key().starts_with(prefix_)) it_->Seek(lower_);
  } else {
    it_->Next();
  }
  auto missing = [&] {
    status_ = Status::Corruption(
        fmt::format("missing record chunk: experiment {} scope \"{}\" rows from {}", id_, scope_, next_row_),
        fmt::format("the scope has {} rows but no chunk holds row {}", meta_.rows, next_row_));
    return false;
  };
  if (!it_->Valid() || !it_->key().starts_with(prefix_) || it_->key().compare(upper_) >= 0) {
    if (!it_->status().ok()) {
      status_ = FromRocks(it_->status(), fmt::format("cannot read scope \"{}\" of experiment {}", scope_, id_));
      return false;
    }
    return missing();
  }
  std::string_view key(it_->key().data(), it_->key().size());
  std::string_view value(it_->value().data(), it_->value().size());
  if (key.size() != prefix_.size() + 8) {
    status_ = Damaged(0, value, "bad key length");
    return false;
  }
  uint64_t start = GetBigEndian64(key.substr(prefix_.size()));
  std::string reason;
  if (!DecodeChunk(value, &*chunk_, &reason)) {
    status_ = Damaged(start, value, reason);
    return false;
  }
  if (chunk_->first_row != start) {
    status_ = Damaged(start, value, fmt::format("its header says it starts at row {}", chunk_->first_row));
    return false;
  }
  if (start > next_row_ || start + chunk_->rows <= next_row_) return missing();
  lo_ = static_cast<uint32_t>(next_row_ - start);
  hi_ = static_cast<uint32_t>(std::min<uint64_t>(chunk_->rows, end_ - start));
  next_row_ = start + hi_;
  return true;
}

size_t Footprint(const DecodedChunk& chunk) {
  size_t bytes = chunk.raw.capacity() + chunk.micros.capacity() * sizeof(int64_t) +
                 chunk.utc_offsets.capacity() * sizeof(int32_t);
  for (const DecodedColumn& col : chunk.columns) {
    bytes += col.ints.capacity() * sizeof(int64_t) + col.str_offsets.capacity() * sizeof(uint32_t) +
             col.numbers.capacity() * sizeof(double);
  }
  return bytes;
}

void StartCursor(const DecodedChunk& chunk, uint32_t lo, std::vector<uint32_t>* cursor) {
  cursor->assign(chunk.columns.size(), 0);
  for (size_t c = 0; c < chunk.columns.size(); ++c) {
    const DecodedColumn& col = chunk.columns[c];
    uint32_t n = 0;
    for (uint32_t r = 0; r < lo; ++r) n += col.Valid(r);
    (*cursor)[c] = n;
  }
}

void MaterializeRow(const DecodedChunk& chunk, uint32_t r, std::vector<uint32_t>* cursor, Row* row) {
  row->index = chunk.first_row + r;
  row->timestamp = Timestamp{chunk.micros[r], chunk.utc_offsets[r]};
  row->cells.clear();
  for (size_t c = 0; c < chunk.columns.size(); ++c) {
    const DecodedColumn& col = chunk.columns[c];
    if (!col.Present(r)) continue;
    if (col.Valid(r)) {
      row->cells.emplace_back(std::string(col.name), col.Get((*cursor)[c]++));
    } else {
      row->cells.emplace_back(std::string(col.name), Value());
    }
  }
}

Result<std::vector<Row>> ReadRowsOf(const StoreState& st, std::string_view id, std::string_view exp_key,
                                    std::string_view scope, const RowRange& range) {
  ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.OpenKey(st, id, exp_key, scope, range));
  std::vector<Row> rows;
  rows.reserve(scan.end() - scan.begin());
  std::vector<uint32_t> cursor;
  while (scan.Next()) {
    StartCursor(scan.chunk(), scan.lo(), &cursor);
    for (uint32_t r = scan.lo(); r < scan.hi(); ++r) {
      rows.emplace_back();
      MaterializeRow(scan.chunk(), r, &cursor, &rows.back());
    }
  }
  if (!scan.status().ok()) return scan.status();
  return rows;
}

}  // namespace internal

using internal::ChunkScanner;
using internal::DecodedColumn;

// ---- metadata --------------------------------------------------------------------

Result<std::vector<ScopeInfo>> ListScopes(const Store& store, std::string_view experiment_id) {
  const internal::StoreState& st = *store.state();
  auto key = internal::LookupKey(st, experiment_id);
  if (!key.ok()) return key.status();
  std::vector<ScopeInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(internal::kCfScopes)));
  for (it->Seek(*key); it->Valid() && it->key().starts_with(*key); it->Next()) {
    std::string_view name(it->key().data() + key->size(), it->key().size() - key->size());
    auto info = internal::DecodeScopeMeta(name, std::string_view(it->value().data(), it->value().size()));
    if (!info.ok()) {
      return Status::Corruption(fmt::format("damaged metadata of scope \"{}\" of experiment {}", name, experiment_id),
                                info.status().message());
    }
    out.push_back(std::move(*info));
  }
  if (!it->status().ok()) return internal::FromRocks(it->status(), fmt::format("cannot list scopes of experiment {}", experiment_id));
  return out;  // keys sort by scope name bytes
}

Result<ScopeInfo> GetScope(const Store& store, std::string_view experiment_id, std::string_view scope) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*store.state(), experiment_id);
  if (!key.ok()) return key.status();
  return internal::LoadScope(*store.state(), experiment_id, *key, scope);
}

Result<uint64_t> CountRows(const Store& store, std::string_view experiment_id, std::string_view scope) {
  auto info = GetScope(store, experiment_id, scope);
  if (!info.ok()) return info.status();
  return info->rows;
}

// ---- columns ---------------------------------------------------------------------

const ColumnData* RecordColumns::Find(std::string_view name) const {
  for (const ColumnData& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

namespace {

// Appends one chunk's rows to one output column. Masks stay empty while every
// row so far is a yes and are materialized at the first no.
class ColumnAppender {
 public:
  ColumnAppender(ColumnData* out, size_t rows) : out_(out) {
    switch (out->type) {
      case ValueType::kInt64: out->ints.reserve(rows); break;
      case ValueType::kDouble: out->doubles.reserve(rows); break;
      case ValueType::kBool: out->bools.reserve(rows); break;
      case ValueType::kString:
      case ValueType::kJson:
        out->offsets.reserve(rows + 1);
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
          size_t at = out_->doubles.size();
          out_->doubles.resize(at + n);  // within the reserved capacity
          std::memcpy(out_->doubles.data() + at, col.doubles + size_t{vi} * 8, size_t{n} * 8);
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
  size_t filled_ = 0;
  bool all_present_ = true, all_valid_ = true;
};

}  // namespace

Status ReadColumns(const Store& store, std::string_view experiment_id, std::string_view scope, const RowRange& range,
                   RecordColumns* result) {
  ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*store.state(), experiment_id, scope, range));
  RecordColumns& out = *result;
  out.first_row = scan.begin();
  out.rows = scan.end() - scan.begin();
  const size_t rows = out.rows;
  out.timestamps.clear();
  out.utc_offsets.clear();
  out.timestamps.reserve(rows);
  out.utc_offsets.reserve(rows);
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

// ---- rows ------------------------------------------------------------------------

struct RecordReader::Impl final : internal::OpenHandle {
  ~Impl() override { Unregister(); }
  // Store::Close or Refresh: the iterator goes; Next() fails from now on.
  Status EndWithStore(std::string_view by) override {
    scan.End(internal::EndedError(fmt::format("record reader for experiment {} scope \"{}\"", id, scope), by,
                                  "open a new reader to read on"));
    status = scan.status();
    ended = true;
    return Status::OK();
  }

  ChunkScanner scan;
  std::string id, scope;
  std::vector<uint32_t> cursor;
  uint32_t r = 0, hi = 0;
  bool loaded = false;
  bool ended = false;
  Status status;
};

RecordReader::RecordReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordReader::RecordReader(RecordReader&&) noexcept = default;
RecordReader& RecordReader::operator=(RecordReader&&) noexcept = default;
RecordReader::~RecordReader() = default;

Result<RecordReader> RecordReader::Open(const Store& store, std::string_view experiment_id, std::string_view scope,
                                        const RowRange& range) {
  auto impl = std::make_unique<Impl>();
  LABSTORE_RETURN_IF_ERROR(impl->scan.Open(*store.state(), experiment_id, scope, range));
  impl->id = std::string(experiment_id);
  impl->scope = std::string(scope);
  impl->Register(store.state()->handles);
  return RecordReader(std::move(impl));
}

bool RecordReader::Next(Row* row) {
  Impl& d = *impl_;
  if (d.ended) return false;
  while (!d.loaded || d.r >= d.hi) {
    if (!d.scan.Next()) {
      d.status = d.scan.status();
      return false;
    }
    d.loaded = true;
    d.r = d.scan.lo();
    d.hi = d.scan.hi();
    internal::StartCursor(d.scan.chunk(), d.r, &d.cursor);
  }
  internal::MaterializeRow(d.scan.chunk(), d.r++, &d.cursor, row);
  return true;
}

const Status& RecordReader::status() const { return impl_->status; }
uint64_t RecordReader::size() const { return impl_->scan.end() - impl_->scan.begin(); }

Result<std::vector<Row>> ReadRows(const Store& store, std::string_view experiment_id, std::string_view scope,
                                  const RowRange& range) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*store.state(), experiment_id);
  if (!key.ok()) return key.status();
  return internal::ReadRowsOf(*store.state(), experiment_id, *key, scope, range);
}

}  // namespace labstore
