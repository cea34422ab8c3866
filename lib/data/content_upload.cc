// Uploads of contents whose hash is not known yet (content_upload.h).
#include "data/content_upload.h"

#include <algorithm>
#include <mutex>

#include <rocksdb/write_batch.h>

#include "store/claims.h"
#include "store/sequence.h"
#include "util/coding.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

// The uploads under way in this process: StoreClaimPrefix(state) data_id(8, BE).
Claims& ActiveClaims() {
  static Claims active;
  return active;
}

std::string UploadClaim(const StoreState& st, uint64_t data_id) {
  std::string claim = StoreClaimPrefix(&st);
  PutBigEndian64(&claim, data_id);
  return claim;
}

}  // namespace

std::set<uint64_t> ActiveUploads(const StoreState& st) {
  std::string prefix = StoreClaimPrefix(&st);
  std::set<uint64_t> active;
  for (const std::string& claim : ActiveClaims().AllWithPrefix(prefix)) {
    active.insert(GetBigEndian64(std::string_view(claim).substr(prefix.size())));
  }
  return active;
}

Result<std::unique_ptr<Upload>> Upload::Start(StoreState& st) {
  std::lock_guard<std::mutex> guard(st.write_mu);
  SequenceDraw sequence(st);
  uint64_t data_id = sequence.Next();
  rocksdb::WriteBatch batch;
  sequence.Stage(&batch);
  batch.Put(st.handle(kCfBlobs), UploadKey(data_id), "");
  rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return FromRocks(s, "cannot start writing a file");
  sequence.Commit();
  ActiveClaims().Claim(UploadClaim(st, data_id));
  return std::unique_ptr<Upload>(new Upload(st, data_id));
}

Upload::~Upload() {
  if (!committed_ && st_.db) {
    rocksdb::WriteBatch batch;
    for (uint32_t i = 0; i < chunks_; ++i) batch.Delete(st_.handle(kCfBlobs), ChunkKey(data_id_, i));
    batch.Delete(st_.handle(kCfBlobs), UploadKey(data_id_));
    (void)st_.db->Write(rocksdb::WriteOptions(), &batch);  // on failure GarbageCollect removes them
  }
  ActiveClaims().Release(UploadClaim(st_, data_id_));
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

}  // namespace labstore::internal
