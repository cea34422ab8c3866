// Files and contents in RocksDB; the layout is at the top of content_store.h.
#include "data/content_store.h"

#include <map>
#include <mutex>
#include <set>

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "data/path.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

constexpr char kHeaderTag = 'h';
constexpr char kChunkTag = 'd';
constexpr char kUploadTag = 'u';

struct Header {
  uint64_t refcount = 0;
  uint64_t size = 0;
  uint64_t data_id = 0;
  uint32_t chunk_size = 0;
};

std::string HeaderKey(std::string_view hash) {
  std::string k(1, kHeaderTag);
  k += hash;
  return k;
}

std::string ChunkKey(uint64_t data_id, uint32_t chunk) {
  std::string k(1, kChunkTag);
  PutBigEndian64(&k, data_id);
  PutBigEndian32(&k, chunk);
  return k;
}

std::string UploadKey(uint64_t data_id) {
  std::string k(1, kUploadTag);
  PutBigEndian64(&k, data_id);
  return k;
}

std::string EncodeHeader(const Header& h) {
  std::string v;
  PutFixed64(&v, h.refcount);
  PutFixed64(&v, h.size);
  PutFixed64(&v, h.data_id);
  PutFixed32(&v, h.chunk_size);
  return v;
}

bool DecodeHeader(std::string_view v, Header* h) {
  if (v.size() != 28) return false;
  h->refcount = GetFixed64(v.substr(0, 8));
  h->size = GetFixed64(v.substr(8, 8));
  h->data_id = GetFixed64(v.substr(16, 8));
  h->chunk_size = GetFixed32(v.substr(24, 4));
  return h->chunk_size > 0;
}

std::string EncodeEntry(std::string_view hash, uint64_t size) {
  std::string v(hash);
  PutFixed64(&v, size);
  return v;
}

uint32_t ChunkCount(uint64_t size, uint32_t chunk_size) {
  return static_cast<uint32_t>((size + chunk_size - 1) / chunk_size);
}

// Chunks are written in WriteBatches of about this many bytes.
constexpr size_t kBatchBytes = size_t{1} << 20;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Uploads under way in this process, which GarbageCollect must leave alone.
// Only one process writes a store (writer.lock), so any other 'u' marker is
// left over from a crash.
std::mutex active_mu;
std::set<std::pair<const StoreState*, uint64_t>> active_uploads;

// Reference count changes of one WriteBatch, applied to the headers at Write().
class RefTxn {
 public:
  // Changes go into `batch` when given (the caller writes it), else into the
  // transaction's own batch that Write() writes.
  explicit RefTxn(StoreState& st, rocksdb::WriteBatch* batch = nullptr) : st_(st), batch_(batch ? *batch : own_) {}

  rocksdb::WriteBatch& batch() { return batch_; }

  // Adds a reference to content.hash, creating the content if needed.
  Status AddRef(const NewContent& c, bool* missing) {
    auto h = Load(c.hash);
    if (!h.ok()) return h.status();
    Header* header = *h;
    if (header->refcount > 0) {
      if (header->size != c.size) {
        return Status::Corruption(fmt::format("stored content {} has size {}, expected {}", ToHex(c.hash),
                                              header->size, c.size));
      }
      ++header->refcount;
      if (c.upload) DeleteChunks(c.upload->data_id(), c.upload->chunks());  // already stored: drop the copy
    } else if (c.upload) {
      *header = {1, c.size, c.upload->data_id(), c.upload->chunk_size()};
    } else if (c.bytes) {
      uint64_t data_id = st_.next_sequence + new_sequences_++;
      uint32_t chunk_size = ChunkSizeFor(st_);
      for (uint32_t i = 0; i < ChunkCount(c.size, chunk_size); ++i) {
        batch_.Put(Cf(), ChunkKey(data_id, i), ToSlice(c.bytes->substr(uint64_t{i} * chunk_size, chunk_size)));
      }
      *header = {1, c.size, data_id, chunk_size};
    } else {
      if (missing) *missing = true;
      return Status::OK();
    }
    if (c.upload) batch_.Delete(Cf(), UploadKey(c.upload->data_id()));
    return Status::OK();
  }

  Status Release(std::string_view hash) {
    auto h = Load(hash);
    if (!h.ok()) return h.status();
    // A file whose content is missing (damage) can still be replaced or deleted.
    if ((*h)->refcount > 0) --(*h)->refcount;
    return Status::OK();
  }

  // Adds the header changes (and the sequence, if drawn from) to the batch;
  // counts the contents that go into *released.
  void Stage(ReleasedFiles* released = nullptr) {
    for (const auto& [hash, h] : headers_) {
      if (h.refcount > 0) {
        batch_.Put(Cf(), HeaderKey(hash), EncodeHeader(h));
      } else if (h.data_id != 0) {  // was stored (or created here) and has no file left
        batch_.Delete(Cf(), HeaderKey(hash));
        DeleteChunks(h.data_id, ChunkCount(h.size, h.chunk_size));
        if (released) {
          ++released->contents_removed;
          released->content_bytes_removed += h.size;
          released->data_ids.push_back(h.data_id);
        }
      }
    }
    if (new_sequences_ > 0) {
      std::string next;
      PutFixed64(&next, st_.next_sequence + new_sequences_);
      batch_.Put(st_.handle(kCfMeta), "next_sequence", next);
    }
  }

  Status Write(std::string_view context) {
    Stage();
    rocksdb::Status s = st_.db->Write(rocksdb::WriteOptions(), &batch_);
    if (!s.ok()) return FromRocks(s, context);
    st_.next_sequence += new_sequences_;
    return Status::OK();
  }

 private:
  rocksdb::ColumnFamilyHandle* Cf() const { return st_.handle(kCfBlobs); }

  void DeleteChunks(uint64_t data_id, uint32_t chunks) {
    for (uint32_t i = 0; i < chunks; ++i) batch_.Delete(Cf(), ChunkKey(data_id, i));
  }

  // The header of `hash` as this transaction sees it; refcount 0 and data_id 0 if absent.
  Result<Header*> Load(std::string_view hash) {
    auto it = headers_.find(std::string(hash));
    if (it != headers_.end()) return &it->second;
    Header h;
    std::string value;
    rocksdb::Status s = st_.db->Get(rocksdb::ReadOptions(), Cf(), HeaderKey(hash), &value);
    if (s.ok()) {
      if (!DecodeHeader(value, &h)) return Status::Corruption(fmt::format("damaged header of content {}", ToHex(hash)));
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "cannot read a content header");
    }
    return &headers_.emplace(std::string(hash), h).first->second;
  }

  StoreState& st_;
  rocksdb::WriteBatch own_;
  rocksdb::WriteBatch& batch_;
  std::map<std::string, Header> headers_;
  uint64_t new_sequences_ = 0;
};

bool KeyExists(const StoreState& st, Cf cf, const std::string& key) {
  std::string value;
  return st.db->Get(rocksdb::ReadOptions(), st.handle(cf), key, &value).ok();
}

Result<FileEntry> DecodeEntry(std::string_view value, std::string_view path) {
  if (value.size() != kHashSize + 8) return Status::Corruption(fmt::format("damaged entry of file {}", QuotePath(path)));
  return FileEntry{std::string(value.substr(0, kHashSize)), GetFixed64(value.substr(kHashSize))};
}

}  // namespace

// A file and a folder cannot share a name: "a" and "a/b" exclude each other.
Status CheckPathConflicts(const StoreState& st, std::string_view experiment_key, std::string_view path) {
  for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (KeyExists(st, kCfFiles, FileKey(experiment_key, path.substr(0, slash)))) {
      return Status::InvalidArgument(fmt::format("cannot save {}", QuotePath(path)),
                                     fmt::format("{} is a file", QuotePath(path.substr(0, slash))));
    }
  }
  std::string folder = FileKey(experiment_key, path) + "/";
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfFiles)));
  it->Seek(folder);
  if (it->Valid() && it->key().starts_with(folder)) {
    std::string_view other(it->key().data() + experiment_key.size(), it->key().size() - experiment_key.size());
    return Status::InvalidArgument(fmt::format("cannot save {}", QuotePath(path)),
                                   fmt::format("it is the folder of file {}", QuotePath(other)));
  }
  return FromRocks(it->status(), "cannot read the files");
}

ContentHasher::ContentHasher() : state_(XXH3_createState()) { XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_)); }
ContentHasher::~ContentHasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }
void ContentHasher::Update(std::string_view bytes) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), bytes.data(), bytes.size());
}
std::string ContentHasher::Finish() const {
  XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  std::string out;
  PutBigEndian64(&out, h.high64);
  PutBigEndian64(&out, h.low64);
  return out;
}

uint32_t ChunkSizeFor(const StoreState& st) {
  rocksdb::ColumnFamilyOptions o = st.db->GetOptions(st.handle(kCfBlobs));
  if (o.enable_blob_files && o.min_blob_size > 1 && o.min_blob_size <= kMaxChunkSize) {
    return static_cast<uint32_t>(o.min_blob_size - 1);
  }
  return kMaxChunkSize;
}

std::string FileKey(std::string_view experiment_key, std::string_view path) {
  std::string k(experiment_key);
  k += path;
  return k;
}

// ---- uploads ---------------------------------------------------------------

Result<std::unique_ptr<Upload>> Upload::Start(StoreState& st) {
  std::lock_guard<std::mutex> guard(st.write_mu);
  uint64_t data_id = st.next_sequence;
  rocksdb::WriteBatch batch;
  std::string next;
  PutFixed64(&next, data_id + 1);
  batch.Put(st.handle(kCfMeta), "next_sequence", next);
  batch.Put(st.handle(kCfBlobs), UploadKey(data_id), "");
  rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return FromRocks(s, "cannot start writing a file");
  st.next_sequence = data_id + 1;
  {
    std::lock_guard<std::mutex> active(active_mu);
    active_uploads.emplace(&st, data_id);
  }
  return std::unique_ptr<Upload>(new Upload(st, data_id));
}

Upload::~Upload() {
  if (!committed_ && st_.db) {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < chunks_; ++i) batch.Delete(st_.handle(kCfBlobs), ChunkKey(data_id_, i));
    batch.Delete(st_.handle(kCfBlobs), UploadKey(data_id_));
    (void)st_.db->Write(rocksdb::WriteOptions(), &batch);  // on failure GarbageCollect removes them
  }
  std::lock_guard<std::mutex> active(active_mu);
  active_uploads.erase({&st_, data_id_});
}

Status Upload::Append(std::string_view bytes) {
  // Without WAL: the chunks are made durable by the flush in Finish(), before
  // anything names them; a crash before that loses only unnamed chunks.
  rocksdb::WriteOptions wo;
  wo.disableWAL = true;
  rocksdb::WriteBatch batch;
  auto put = [&](std::string_view chunk) -> Status {
    batch.Put(st_.handle(kCfBlobs), ChunkKey(data_id_, chunks_++), ToSlice(chunk));
    unflushed_ += chunk.size();
    if (batch.GetDataSize() < kBatchBytes) return Status::OK();
    rocksdb::Status s = st_.db->Write(wo, &batch);
    batch.Clear();
    if (!s.ok()) return FromRocks(s, "cannot write file chunks");
    return unflushed_ >= kUploadFlushBytes ? Flush(/*wait=*/true) : Status::OK();
  };
  if (!partial_.empty()) {
    size_t n = std::min<size_t>(chunk_size_ - partial_.size(), bytes.size());
    partial_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (partial_.size() < chunk_size_) return Status::OK();
    LABSTORE_RETURN_IF_ERROR(put(partial_));
    partial_.clear();
  }
  for (; bytes.size() >= chunk_size_; bytes.remove_prefix(chunk_size_)) {
    LABSTORE_RETURN_IF_ERROR(put(bytes.substr(0, chunk_size_)));
  }
  partial_.assign(bytes);
  if (batch.Count() == 0) return Status::OK();
  return FromRocks(st_.db->Write(wo, &batch), "cannot write file chunks");
}

Status Upload::Finish() {
  if (!partial_.empty()) {
    rocksdb::WriteOptions wo;
    wo.disableWAL = true;
    rocksdb::Status s = st_.db->Put(wo, st_.handle(kCfBlobs), ChunkKey(data_id_, chunks_), ToSlice(partial_));
    if (!s.ok()) return FromRocks(s, "cannot write file chunks");
    ++chunks_;
    partial_ = std::string();
  }
  return Flush(/*wait=*/true);
}


Status Upload::Flush(bool wait) {
  unflushed_ = 0;
  rocksdb::FlushOptions fo;
  fo.wait = wait;
  fo.allow_write_stall = true;
  return FromRocks(st_.db->Flush(fo, st_.handle(kCfBlobs)), "cannot flush file chunks");
}

// ---- naming contents -------------------------------------------------------

Status CommitFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  const NewContent& content, bool* missing) {
  if (missing) *missing = false;
  std::lock_guard<std::mutex> guard(st.write_mu);
  // The experiment may have been deleted (Store::Delete) since the caller
  // looked it up, e.g. while a FileWriter was open: store nothing for it.
  std::string current;
  rocksdb::Status found = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfIds), ToSlice(id), &current);
  if (!found.ok() && !found.IsNotFound()) return FromRocks(found, "cannot look up an experiment");
  if (found.IsNotFound() || current != experiment_key) {
    return Status::NotFound(fmt::format("cannot save file {}: experiment \"{}\" was deleted", QuotePath(path), id));
  }
  LABSTORE_RETURN_IF_ERROR(CheckPathConflicts(st, experiment_key, path));
  RefTxn txn(st);
  LABSTORE_RETURN_IF_ERROR(txn.AddRef(content, missing));
  if (missing && *missing) return Status::OK();
  std::string key = FileKey(experiment_key, path);
  std::string old;
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfFiles), key, &old);
  if (s.ok()) {
    auto entry = DecodeEntry(old, path);
    if (!entry.ok()) return entry.status();
    LABSTORE_RETURN_IF_ERROR(txn.Release(entry->hash));
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "cannot read a file entry");
  }
  txn.batch().Put(st.handle(kCfFiles), key, EncodeEntry(content.hash, content.size));
  LABSTORE_RETURN_IF_ERROR(
      txn.Write(fmt::format("cannot save file {} of experiment \"{}\"", QuotePath(path), id)));
  if (content.upload) content.upload->MarkCommitted();
  return Status::OK();
}

Status StoreBytes(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  std::string_view bytes) {
  std::string hash = Hash128(bytes);
  NewContent content{.hash = hash, .size = bytes.size()};
  if (bytes.size() <= kInlineBytes) {
    content.bytes = &bytes;
    return CommitFile(st, experiment_key, id, path, content);
  }
  bool missing = false;
  LABSTORE_RETURN_IF_ERROR(CommitFile(st, experiment_key, id, path, content, &missing));
  if (!missing) return Status::OK();  // the same bytes were stored already
  auto upload = Upload::Start(st);
  if (!upload.ok()) return upload.status();
  LABSTORE_RETURN_IF_ERROR((*upload)->Append(bytes));
  LABSTORE_RETURN_IF_ERROR((*upload)->Finish());
  content.upload = upload->get();
  return CommitFile(st, experiment_key, id, path, content);
}

Status RemoveFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path) {
  std::lock_guard<std::mutex> guard(st.write_mu);
  std::string key = FileKey(experiment_key, path);
  std::string value;
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfFiles), key, &value);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no file {} in experiment \"{}\"", QuotePath(path), id));
  if (!s.ok()) return FromRocks(s, "cannot read a file entry");
  auto entry = DecodeEntry(value, path);
  if (!entry.ok()) return entry.status();
  RefTxn txn(st);
  LABSTORE_RETURN_IF_ERROR(txn.Release(entry->hash));
  txn.batch().Delete(st.handle(kCfFiles), key);
  return txn.Write(fmt::format("cannot delete file {} of experiment \"{}\"", QuotePath(path), id));
}

Status ReleaseFilesOf(StoreState& st, const std::vector<std::string>& experiment_keys, rocksdb::WriteBatch* batch,
                      ReleasedFiles* released) {
  RefTxn txn(st, batch);
  for (const std::string& key : experiment_keys) {
    std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfFiles)));
    for (it->Seek(key); it->Valid() && it->key().starts_with(key); it->Next()) {
      std::string path = it->key().ToString().substr(key.size());
      auto entry = DecodeEntry(it->value().ToStringView(), path);
      // A damaged entry still goes; its content's count is fixed by GarbageCollect.
      if (entry.ok()) {
        LABSTORE_RETURN_IF_ERROR(txn.Release(entry->hash));
        released->file_bytes += entry->size;
      }
      batch->Delete(st.handle(kCfFiles), it->key());
      ++released->files;
    }
    LABSTORE_RETURN_IF_ERROR(FromRocks(it->status(), "cannot read the files of an experiment"));
  }
  txn.Stage(released);
  return Status::OK();
}

// ---- reading ---------------------------------------------------------------

ReadView::ReadView(const StoreState& st) : db_(st.db.get()) { options_.snapshot = db_->GetSnapshot(); }
ReadView::~ReadView() { Release(); }
void ReadView::Release() {
  if (options_.snapshot) db_->ReleaseSnapshot(options_.snapshot);
  options_.snapshot = nullptr;
}

Result<FileEntry> GetFileEntry(const StoreState& st, const rocksdb::ReadOptions& ro, std::string_view experiment_key,
                               std::string_view id, std::string_view path) {
  std::string value;
  rocksdb::Status s = st.db->Get(ro, st.handle(kCfFiles), FileKey(experiment_key, path), &value);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no file {} in experiment \"{}\"", QuotePath(path), id));
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read file {}", QuotePath(path)));
  return DecodeEntry(value, path);
}

ContentReader::ContentReader(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry, std::string what,
                             uint64_t data_id, uint32_t chunk_size)
    : st_(&st), ro_(ro), entry_(std::move(entry)), what_(std::move(what)), data_id_(data_id),
      chunk_size_(chunk_size), hasher_(std::make_shared<ContentHasher>()) {
  ro_.fill_cache = entry_.size <= kInlineBytes;  // a large file would evict everything else
}

Result<ContentReader> ContentReader::Open(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry,
                                          std::string what) {
  std::string value;
  Header h;
  rocksdb::Status s = st.db->Get(ro, st.handle(kCfBlobs), HeaderKey(entry.hash), &value);
  if (s.IsNotFound() || (s.ok() && (!DecodeHeader(value, &h) || h.size != entry.size))) {
    return Status::Corruption(fmt::format("the content of {} is missing or damaged", what),
                              fmt::format("content {}", ToHex(entry.hash)));
  }
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read {}", what));
  return ContentReader(st, ro, std::move(entry), std::move(what), h.data_id, h.chunk_size);
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
    rocksdb::Status s = st_->db->Get(ro_, st_->handle(kCfBlobs), ChunkKey(data_id_, next_chunk_), &chunk);
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

// ---- garbage collection ------------------------------------------------------

Result<GarbageCollectStats> CollectGarbage(StoreState& st) {
  GarbageCollectStats stats;
  {
    std::lock_guard<std::mutex> guard(st.write_mu);
    // Mark: references per content, from the file entries.
    std::map<std::string, uint64_t> refs;
    std::unique_ptr<rocksdb::Iterator> files(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfFiles)));
    for (files->SeekToFirst(); files->Valid(); files->Next()) {
      if (files->value().size() != kHashSize + 8) continue;  // damaged: reported when read
      ++refs[files->value().ToString().substr(0, kHashSize)];
    }
    LABSTORE_RETURN_IF_ERROR(FromRocks(files->status(), "cannot read the files"));

    // Sweep: headers whose count disagrees, then uploads nobody finished. Only
    // the 'h' and 'u' ranges are read: reading chunks would load their blobs.
    rocksdb::WriteBatch batch;
    auto scan = [&](char tag, auto&& visit) -> Status {
      std::string lower(1, tag), upper(1, static_cast<char>(tag + 1));
      rocksdb::Slice upper_slice(upper);
      rocksdb::ReadOptions ro;
      ro.iterate_upper_bound = &upper_slice;
      std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(ro, st.handle(kCfBlobs)));
      for (it->Seek(lower); it->Valid(); it->Next()) visit(it->key().ToString(), it->value().ToString());
      return FromRocks(it->status(), "cannot read the blobs");
    };
    LABSTORE_RETURN_IF_ERROR(scan(kHeaderTag, [&](const std::string& key, const std::string& value) {
      Header h;
      if (key.size() != 1 + kHashSize || !DecodeHeader(value, &h)) return;
      auto it = refs.find(key.substr(1));
      uint64_t count = it == refs.end() ? 0 : it->second;
      if (count == h.refcount) return;
      ++stats.references_fixed;
      if (count > 0) {
        h.refcount = count;
        batch.Put(st.handle(kCfBlobs), key, EncodeHeader(h));
        return;
      }
      batch.Delete(st.handle(kCfBlobs), key);
      for (uint32_t i = 0; i < ChunkCount(h.size, h.chunk_size); ++i) {
        batch.Delete(st.handle(kCfBlobs), ChunkKey(h.data_id, i));
      }
      ++stats.contents_removed;
      stats.bytes_removed += h.size;
    }));
    std::set<uint64_t> active;
    {
      std::lock_guard<std::mutex> lock(active_mu);
      for (const auto& [state, data_id] : active_uploads) {
        if (state == &st) active.insert(data_id);
      }
    }
    LABSTORE_RETURN_IF_ERROR(scan(kUploadTag, [&](const std::string& key, const std::string&) {
      if (key.size() != 9) return;
      uint64_t data_id = GetBigEndian64(std::string_view(key).substr(1));
      if (active.count(data_id)) return;
      batch.DeleteRange(st.handle(kCfBlobs), ChunkKey(data_id, 0), ChunkKey(data_id + 1, 0));
      batch.Delete(st.handle(kCfBlobs), key);
      ++stats.uploads_removed;
    }));
    rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, "cannot remove unreferenced contents");
  }
  // Return the space: a full compaction of the blobs with blob garbage
  // collection forced rewrites the live chunks and drops the dead ones.
  rocksdb::CompactRangeOptions co;
  co.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
  co.blob_garbage_collection_age_cutoff = 1.0;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  LABSTORE_RETURN_IF_ERROR(
      FromRocks(st.db->CompactRange(co, st.handle(kCfBlobs), nullptr, nullptr), "cannot compact the blobs"));
  return stats;
}

}  // namespace labstore::internal
