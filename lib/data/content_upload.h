// Uploads: the chunks of one content written before its hash is known (a
// streamed file, or a large one), named by CommitFile (content_refs.h) at the
// end. The protocol is at the top of content_store.h.
#ifndef LABSTORE_LIB_DATA_CONTENT_UPLOAD_H_
#define LABSTORE_LIB_DATA_CONTENT_UPLOAD_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "data/content_entry.h"
#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

// Contents up to this size are written in one WriteBatch with WAL; larger ones
// are uploaded.
inline constexpr size_t kInlineBytes = size_t{1} << 20;
// An upload flushes the blobs memtable after this many bytes, which bounds the
// memory a large file holds in RocksDB.
inline constexpr uint64_t kUploadFlushBytes = uint64_t{16} << 20;

// Chunks of one content written before its hash is known. Start() draws a data
// id and writes the 'u' marker; a destroyed, unfinished upload deletes its
// chunks and marker.
class Upload {
 public:
  static Result<std::unique_ptr<Upload>> Start(StoreState& st);
  ~Upload();

  // Adds bytes at the end: full chunks are written (without WAL), the rest
  // waits for the next Append or Finish.
  Status Append(std::string_view bytes);
  // Writes the last chunk and makes all durable (flushes the blobs column family).
  Status Finish();

  uint64_t data_id() const { return data_id_; }
  uint32_t chunk_size() const { return chunk_size_; }
  uint32_t chunks() const { return chunks_; }
  // Called by CommitFile once the chunks are named or dropped.
  void MarkCommitted() { committed_ = true; }

 private:
  Upload(StoreState& st, uint64_t data_id) : st_(st), data_id_(data_id), chunk_size_(ChunkSizeFor(st)) {}
  // Starts a flush of the blobs memtable; with `wait`, returns when it is durable.
  Status Flush(bool wait);

  StoreState& st_;
  uint64_t data_id_;
  uint32_t chunk_size_;
  uint32_t chunks_ = 0;
  std::string partial_;  // bytes of the next chunk, fewer than chunk_size_
  uint64_t unflushed_ = 0;
  bool committed_ = false;
};

// The data ids of the uploads of `st` under way in this process, which
// GarbageCollect must leave alone. Only one process writes a store
// (writer.lock), so any other 'u' marker is left over from a crash.
std::set<uint64_t> ActiveUploads(const StoreState& st);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_UPLOAD_H_
