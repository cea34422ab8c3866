// Reference counts of contents and the file entries that hold them
// (content_refs.h); the protocol is at the top of content_store.h.
//
// Many writers (doc/many-writers.md): reference counts and the entries whose
// contents they count are per part; every read that feeds them (headers, the
// entry a save replaces or a delete removes) reads the own part alone. Only
// what a user is told about (a path conflict, the experiment's existence, a
// file held by another part) reads the union.
#include "data/content_refs.h"

#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "data/content_entry.h"
#include "data/path.h"
#include "store/sequence.h"
#include "store/union_read.h"
#include "util/hash.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

// Reference count changes of one WriteBatch, applied to the headers at Write().
class RefTxn {
 public:
  // Changes go into `batch` when given (the caller writes it), else into the
  // transaction's own batch that Write() writes.
  explicit RefTxn(StoreState& st, rocksdb::WriteBatch* batch = nullptr)
      : st_(st), batch_(batch ? *batch : own_), sequence_(st) {}

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
      uint64_t data_id = sequence_.Next();
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
    sequence_.Stage(&batch_);
  }

  Status Write(std::string_view context) {
    Stage();
    rocksdb::Status s = st_.db->Write(rocksdb::WriteOptions(), &batch_);
    if (!s.ok()) return FromRocks(s, context);
    sequence_.Commit();
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
  SequenceDraw sequence_;
};

bool KeyExists(const StoreState& st, Cf cf, const std::string& key) {
  std::string value;
  return GetAny(st, cf, key, &value).ok();
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
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfFiles);
  it->Seek(folder);
  if (it->Valid() && it->key().starts_with(folder)) {
    std::string_view other(it->key().data() + experiment_key.size(), it->key().size() - experiment_key.size());
    return Status::InvalidArgument(fmt::format("cannot save {}", QuotePath(path)),
                                   fmt::format("it is the folder of file {}", QuotePath(other)));
  }
  return FromRocks(it->status(), "cannot read the files");
}

Status CommitFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  const NewContent& content, bool* missing) {
  if (missing) *missing = false;
  std::lock_guard<std::mutex> guard(st.write_mu);
  // The experiment may have been deleted (Store::Delete) since the caller
  // looked it up, e.g. while a FileWriter was open: store nothing for it.
  std::string current;
  rocksdb::Status found = GetAny(st, kCfIds, ToSlice(id), &current);  // the experiment may be in another part
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
  // A view's entry of the path would show again once the own one is gone:
  // Busy whether or not the own part holds one too.
  if (const Part* part = HasViews(st) ? ViewHoldingKey(st, kCfFiles, key) : nullptr) {
    return Status::Busy(fmt::format("cannot delete file {} of experiment \"{}\": {} of the store holds it",
                                    QuotePath(path), id, PartName(part->number)),
                        "another writer process holds that part; delete from that process, or after a merge");
  }
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

}  // namespace labstore::internal
