// ChunkScanner (chunk_scanner.h): the chunks of a scope in row order, with
// the checks that name a damaged or missing chunk.
#include "record/chunk_scanner.h"

#include <algorithm>

#include <fmt/format.h>
#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "record/scope.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/return_if_error.h"

namespace labstore::internal {

Status ChunkScanner::Open(const StoreState& st, std::string_view id, std::string_view scope, const RowRange& range) {
  LABSTORE_RETURN_IF_ERROR(ValidateRecordName("scope", scope));
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  return OpenKey(st, id, *key, scope, range);
}

Status ChunkScanner::OpenKey(const StoreState& st, std::string_view id, std::string_view exp_key,
                             std::string_view scope, const RowRange& range) {
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
  if (PeekChunk(value, &rows, &first) && first == start && rows > 0 && rows <= (1u << 20) &&
      start + rows <= meta_.rows) {
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
  return Status::Corruption(fmt::format("damaged record chunk: experiment {} scope \"{}\" {}", id_, scope_, range),
                            reason);
}

void ChunkScanner::End(Status why) {
  ahead_.reset();
  it_.reset();
  status_ = std::move(why);
}

void ChunkScanner::DecodeAhead(unsigned workers) {
  if (workers > 0 && !started_) ahead_ = std::make_unique<ChunkDecodeAhead>(workers);
}

bool ChunkScanner::Advance() {
  if (!started_) {
    started_ = true;
    rocksdb::ReadOptions ro;
    ro.verify_checksums = false;  // every chunk carries its own XXH3 checksum, checked in DecodeChunk
    ro.fill_cache = false;        // a scan should not evict the block cache's hot metadata
    it_ = NewUnionIterator(*st_, kCfRecords, ro);  // a scope's chunks may be in several parts
    std::string target = prefix_;
    PutBigEndian64(&target, begin_);
    it_->SeekForPrev(target);
    if (!it_->Valid() || !it_->key().starts_with(prefix_)) it_->Seek(lower_);
  } else {
    it_->Next();
  }
  return it_->Valid() && it_->key().starts_with(prefix_) && it_->key().compare(upper_) < 0;
}

bool ChunkScanner::AtEnd(const rocksdb::Status& iterator_status) {
  if (!iterator_status.ok()) {
    status_ = FromRocks(iterator_status, fmt::format("cannot read scope \"{}\" of experiment {}", scope_, id_));
    return false;
  }
  status_ = Status::Corruption(
      fmt::format("missing record chunk: experiment {} scope \"{}\" rows from {}", id_, scope_, next_row_),
      fmt::format("the scope has {} rows but no chunk holds row {}", meta_.rows, next_row_));
  return false;
}

bool ChunkScanner::Next() {
  if (!status_.ok() || next_row_ >= end_) return false;
  if (ahead_) return NextAhead();
  if (!Advance()) return AtEnd(it_->status());
  return Take(nullptr);
}

bool ChunkScanner::Take(const DecodedChunk* decoded) {
  std::string_view key(it_->key().data(), it_->key().size());
  std::string_view value(it_->value().data(), it_->value().size());
  if (key.size() != prefix_.size() + 8) {
    status_ = Damaged(0, value, "bad key length");
    return false;
  }
  uint64_t start = GetBigEndian64(key.substr(prefix_.size()));
  if (decoded == nullptr) {
    std::string reason;
    if (!DecodeChunk(value, &*chunk_, &reason)) {
      status_ = Damaged(start, value, reason);
      return false;
    }
    decoded = &*chunk_;
  }
  if (decoded->first_row != start) {
    status_ = Damaged(start, value, fmt::format("its header says it starts at row {}", decoded->first_row));
    return false;
  }
  return TakeRows(start, decoded);
}

bool ChunkScanner::TakeRows(uint64_t start, const DecodedChunk* decoded) {
  current_ = decoded;
  if (start > next_row_ || start + decoded->rows <= next_row_) return AtEnd(rocksdb::Status::OK());
  lo_ = static_cast<uint32_t>(next_row_ - start);
  hi_ = static_cast<uint32_t>(std::min<uint64_t>(decoded->rows, end_ - start));
  next_row_ = start + hi_;
  return true;
}

bool ChunkScanner::NextAhead() {
  if (current_ != nullptr) ahead_->Pop();  // the chunk Next() returned last
  current_ = nullptr;
  while (!ahead_done_ && !ahead_->Full()) {
    if (!Advance()) {
      ahead_done_ = true;
      ahead_iterator_status_ = it_->status();
      break;
    }
    ahead_->Push(std::string_view(it_->key().data(), it_->key().size()),
                 std::string_view(it_->value().data(), it_->value().size()));
  }
  if (ahead_->Empty()) return AtEnd(ahead_iterator_status_);
  AheadSlot& slot = ahead_->Front();
  const std::string_view key = slot.key;
  uint64_t start = key.size() == prefix_.size() + 8 ? GetBigEndian64(key.substr(prefix_.size())) : 0;
  if (slot.decoded && key.size() == prefix_.size() + 8 && slot.chunk.first_row == start) {
    return TakeRows(start, &slot.chunk);
  }
  // A chunk that fails: read on in order from it, so that the error names it as without decoding ahead.
  std::string at(key);
  ahead_.reset();
  it_->Seek(at);
  if (!it_->Valid() || it_->key() != rocksdb::Slice(at)) return AtEnd(it_->status());
  return Take(nullptr);
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

}  // namespace labstore::internal
