// Garbage collection of contents (content_gc.h). Reference counts are per part
// (doc/many-writers.md): every read here feeds the own part's counts and reads
// the own part alone.
#include "data/content_gc.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <rocksdb/write_batch.h>

#include "data/content_entry.h"
#include "data/content_upload.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/return_if_error.h"

namespace labstore::internal {

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
    std::set<uint64_t> active = ActiveUploads(st);
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
