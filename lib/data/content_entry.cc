// The keys and values of the files and blobs column families; the layout is at
// the top of content_entry.h.
#include "data/content_entry.h"

#define XXH_INLINE_ALL
#include <xxhash.h>
#include <fmt/format.h>

#include "data/path.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {

uint32_t ChunkSizeFor(const StoreState& st) {
  rocksdb::ColumnFamilyOptions o = st.db->GetOptions(st.handle(kCfBlobs));
  if (o.enable_blob_files && o.min_blob_size > 1 && o.min_blob_size <= kMaxChunkSize) {
    return static_cast<uint32_t>(o.min_blob_size - 1);
  }
  return kMaxChunkSize;
}

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

std::string FileKey(std::string_view experiment_key, std::string_view path) {
  std::string k(experiment_key);
  k += path;
  return k;
}

std::string EncodeEntry(std::string_view hash, uint64_t size) {
  std::string v(hash);
  PutFixed64(&v, size);
  return v;
}

Result<FileEntry> DecodeEntry(std::string_view value, std::string_view path) {
  if (value.size() != kHashSize + 8) {
    return Status::Corruption(fmt::format("damaged entry of file {}", QuotePath(path)));
  }
  return FileEntry{std::string(value.substr(0, kHashSize)), GetFixed64(value.substr(kHashSize))};
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

}  // namespace labstore::internal
