// Files and their contents in RocksDB (doc/format.md, "Data files"): the keys
// and values of the `files` and `blobs` column families.
//
//   files key := experiment_key(20) path                value := content_hash(16) size(8, LE)
//   blobs key := 'h' content_hash(16)                   value := refcount(8, LE) size(8, LE) data_id(8, LE)
//                                                                chunk_size(4, LE)
//              | 'd' data_id(8, BE) chunk_no(4, BE)     value := bytes [chunk_no * chunk_size, +chunk_size) of
//                                                                the content (the last chunk shorter)
//              | 'u' data_id(8, BE)                     value := "" (an upload under way)
//   content_hash := XXH3-128 of the bytes, high 64 bits first (util/hash.h)
//   data_id      := drawn from the store-wide sequence (meta "next_sequence", store/sequence.h)
//
// Chunks stay below the blobs column family's min_blob_size, so that they live
// in SST files and not in RocksDB blob files: read-only handles are RocksDB
// secondary instances, and RocksDB 7.8 does not support blob files there (a
// read crashes; BlobDB documents secondaries as unsupported). The chunk size
// of each content is recorded in its header, so it may change with the
// column family's options.
#ifndef LABSTORE_LIB_DATA_CONTENT_ENTRY_H_
#define LABSTORE_LIB_DATA_CONTENT_ENTRY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <rocksdb/slice.h>

#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

// The largest chunk; the chunk size is smaller while the blobs column family
// sends values of that size to blob files (ChunkSizeFor).
inline constexpr uint32_t kMaxChunkSize = uint32_t{1} << 20;
// Chunks are written (and read) in WriteBatches of about this many bytes.
inline constexpr size_t kBatchBytes = size_t{1} << 20;

// The chunk size for new contents of this store: kMaxChunkSize, or
// min_blob_size - 1 when the blobs column family has blob files enabled.
uint32_t ChunkSizeFor(const StoreState& st);

inline constexpr char kHeaderTag = 'h';
inline constexpr char kChunkTag = 'd';
inline constexpr char kUploadTag = 'u';

// The value of a 'h' key.
struct Header {
  uint64_t refcount = 0;
  uint64_t size = 0;
  uint64_t data_id = 0;
  uint32_t chunk_size = 0;
};

std::string HeaderKey(std::string_view hash);
std::string ChunkKey(uint64_t data_id, uint32_t chunk);
std::string UploadKey(uint64_t data_id);
std::string EncodeHeader(const Header& h);
// False if `v` is not a header (wrong size, chunk size 0).
bool DecodeHeader(std::string_view v, Header* h);

inline uint32_t ChunkCount(uint64_t size, uint32_t chunk_size) {
  return static_cast<uint32_t>((size + chunk_size - 1) / chunk_size);
}

// The value of a `files` key.
struct FileEntry {
  std::string hash;  // 16 bytes
  uint64_t size = 0;
};

std::string FileKey(std::string_view experiment_key, std::string_view path);
std::string EncodeEntry(std::string_view hash, uint64_t size);
// Errors: Corruption naming `path` (not 24 bytes).
Result<FileEntry> DecodeEntry(std::string_view value, std::string_view path);

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// XXH3-128 over bytes given in pieces; Finish() gives what Hash128 gives.
class ContentHasher {
 public:
  ContentHasher();
  ~ContentHasher();
  ContentHasher(const ContentHasher&) = delete;
  ContentHasher& operator=(const ContentHasher&) = delete;
  void Update(std::string_view bytes);
  std::string Finish() const;

 private:
  void* state_;  // XXH3_state_t
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_ENTRY_H_
