// Reading files and their contents (content_read.h), from the union of the
// parts: an entry in the first part that has it (own part first: file entries
// carry no sequence to tell the newest by), its content's header likewise
// (equal hashes are equal bytes whichever part stored them) and the chunks of
// that header's data_id from the part that held the header. The snapshot is
// the own part's.
#include "data/content_read.h"

#include <fmt/format.h>

#include "data/content_upload.h"
#include "data/path.h"
#include "store/union_read.h"
#include "util/hash.h"

namespace labstore::internal {

ReadView::ReadView(const StoreState& st) : db_(st.db.get()) { options_.snapshot = db_->GetSnapshot(); }
ReadView::~ReadView() { Release(); }
void ReadView::Release() {
  if (options_.snapshot) db_->ReleaseSnapshot(options_.snapshot);
  options_.snapshot = nullptr;
}

Result<FileEntry> GetFileEntry(const StoreState& st, const rocksdb::ReadOptions& ro, std::string_view experiment_key,
                               std::string_view id, std::string_view path) {
  std::string value;
  rocksdb::Status s = GetAny(st, kCfFiles, FileKey(experiment_key, path), &value, ro);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no file {} in experiment \"{}\"", QuotePath(path), id));
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read file {}", QuotePath(path)));
  return DecodeEntry(value, path);
}

ContentReader::ContentReader(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry, std::string what,
                             uint64_t data_id, uint32_t chunk_size, size_t part)
    : st_(&st), part_(part), ro_(ro), entry_(std::move(entry)), what_(std::move(what)), data_id_(data_id),
      chunk_size_(chunk_size), hasher_(std::make_shared<ContentHasher>()) {
  ro_.fill_cache = entry_.size <= kInlineBytes;  // a large file would evict everything else
}

Result<ContentReader> ContentReader::Open(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry,
                                          std::string what) {
  std::string value;
  Header h;
  size_t part = 0;
  rocksdb::Status s = GetAny(st, kCfBlobs, HeaderKey(entry.hash), &value, ro, &part);
  if (s.IsNotFound() || (s.ok() && (!DecodeHeader(value, &h) || h.size != entry.size))) {
    return Status::Corruption(fmt::format("the content of {} is missing or damaged", what),
                              fmt::format("content {}", ToHex(entry.hash)));
  }
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read {}", what));
  return ContentReader(st, ro, std::move(entry), std::move(what), h.data_id, h.chunk_size, part);
}

Result<bool> ContentReader::Next(std::string* out) {
  uint32_t count = ChunkCount(entry_.size, chunk_size_);
  if (next_chunk_ > count) return false;
  if (next_chunk_ == count) {
    ++next_chunk_;
    if (hasher_->Finish() != entry_.hash) {
      return Status::Corruption(fmt::format("the content of {} does not match its hash", what_),
                                fmt::format("expected {}, read {}", ToHex(entry_.hash), ToHex(hasher_->Finish())));
    }
    return false;
  }
  // About kBatchBytes per call, so that small chunks cost little per call.
  for (size_t added = 0; next_chunk_ < count && added < kBatchBytes; ++next_chunk_) {
    rocksdb::PinnableSlice chunk;
    rocksdb::Status s = GetIn(*st_, part_, kCfBlobs, ChunkKey(data_id_, next_chunk_), &chunk, ro_);
    uint64_t expected = next_chunk_ + 1 < count ? chunk_size_ : entry_.size - uint64_t{next_chunk_} * chunk_size_;
    if (s.IsNotFound() || (s.ok() && chunk.size() != expected)) {
      return Status::Corruption(fmt::format("the content of {} is damaged", what_),
                                fmt::format("chunk {} of {} is missing or of the wrong size", next_chunk_, count));
    }
    if (!s.ok()) return FromRocks(s, fmt::format("cannot read {}", what_));
    hasher_->Update(std::string_view(chunk.data(), chunk.size()));
    out->append(chunk.data(), chunk.size());
    added += chunk.size();
  }
  return true;
}

}  // namespace labstore::internal
