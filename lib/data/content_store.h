// Files and their contents in RocksDB (doc/format.md, "Data files").
//
//   files key := experiment_key(20) path                value := content_hash(16) size(8, LE)
//   blobs key := 'h' content_hash(16)                   value := refcount(8, LE) size(8, LE) data_id(8, LE)
//                                                                chunk_size(4, LE)
//              | 'd' data_id(8, BE) chunk_no(4, BE)     value := bytes [chunk_no * chunk_size, +chunk_size) of
//                                                                the content (the last chunk shorter)
//              | 'u' data_id(8, BE)                     value := "" (an upload under way)
//   content_hash := XXH3-128 of the bytes, high 64 bits first (util/hash.h)
//   data_id      := drawn from the store-wide sequence (meta "next_sequence")
//
// A content is named by its hash ('h'), and its bytes sit in chunks under a
// data id chosen when writing starts, because a streamed content's hash is
// known only at its end and RocksDB cannot rename keys. Contents of at most
// kInlineBytes are written with their header and file entry in one
// WriteBatch. Larger ones are uploaded first: a 'u' marker (WAL), then the
// chunks without WAL, then a flush of the blobs column family (the chunks are
// durable), then one WriteBatch under StoreState::write_mu that names them
// ('h'), points the file at them and deletes the marker — or, when the hash is
// already stored, drops them again. The refcount is the number of file entries
// naming the hash; every change to it is in the WriteBatch that changes those
// entries, under write_mu, so it is exact after any crash. A crash can only
// leave an upload ('u' marker, maybe chunks) that GarbageCollect removes.
//
// Chunks stay below the blobs column family's min_blob_size, so that they live
// in SST files and not in RocksDB blob files: read-only handles are RocksDB
// secondary instances, and RocksDB 7.8 does not support blob files there (a
// read crashes; BlobDB documents secondaries as unsupported). The chunk size
// of each content is recorded in its header, so it may change with the
// column family's options.
#ifndef LABSTORE_LIB_DATA_CONTENT_STORE_H_
#define LABSTORE_LIB_DATA_CONTENT_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "labstore/data.h"
#include "store/store_state.h"

namespace labstore::internal {

// Contents up to this size are written in one WriteBatch with WAL; larger ones
// are uploaded.
inline constexpr size_t kInlineBytes = size_t{1} << 20;
// The largest chunk; the chunk size is smaller while the blobs column family
// sends values of that size to blob files (ChunkSizeFor).
inline constexpr uint32_t kMaxChunkSize = uint32_t{1} << 20;
// An upload flushes the blobs memtable after this many bytes, which bounds the
// memory a large file holds in RocksDB.
inline constexpr uint64_t kUploadFlushBytes = uint64_t{16} << 20;

// The chunk size for new contents of this store: kMaxChunkSize, or
// min_blob_size - 1 when the blobs column family has blob files enabled.
uint32_t ChunkSizeFor(const StoreState& st);

struct FileEntry {
  std::string hash;  // 16 bytes
  uint64_t size = 0;
};

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

// What CommitFile stores under the hash when it is not stored yet: the
// uploaded chunks, or `bytes` (at most kInlineBytes) written in the same batch.
// With neither, CommitFile only adds a reference and sets *missing when the
// hash is not stored.
struct NewContent {
  std::string_view hash;
  uint64_t size = 0;
  Upload* upload = nullptr;
  const std::string_view* bytes = nullptr;
};

// Points file `path` of the experiment at the content, replacing (and
// releasing) what it pointed at. `id` is the experiment's id.
// Errors: InvalidArgument (path conflicts with a file or folder), NotFound
// (`id` no longer names `experiment_key`: deleted since it was looked up), IOError.
Status CommitFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  const NewContent& content, bool* missing = nullptr);

// Writes `bytes` as file `path`: up to kInlineBytes in one batch, larger ones
// uploaded unless the hash is already stored.
Status StoreBytes(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  std::string_view bytes);

// InvalidArgument if `path` cannot be saved because a file is named like one
// of its folders ("a" for "a/b") or it is the folder of a file.
Status CheckPathConflicts(const StoreState& st, std::string_view experiment_key, std::string_view path);

// Removes file `path`. Errors: NotFound, IOError.
Status RemoveFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path);

std::string FileKey(std::string_view experiment_key, std::string_view path);

struct ReleasedFiles {
  uint64_t files = 0;
  uint64_t file_bytes = 0;
  uint64_t contents_removed = 0;       // contents left without files: header and chunks deleted
  uint64_t content_bytes_removed = 0;
  std::vector<uint64_t> data_ids;      // their data ids (chunk ranges to compact)
};

// Adds to `batch` the deletion of every file entry of the experiments and the
// release of their contents (a content's count drops by its entries; at zero
// its header and chunks are deleted), counting into *released. The caller
// holds StoreState::write_mu and writes the batch. Errors: Corruption (a
// damaged content header), IOError.
Status ReleaseFilesOf(StoreState& st, const std::vector<std::string>& experiment_keys, rocksdb::WriteBatch* batch,
                      ReleasedFiles* released);

// A read snapshot held for as long as this object lives.
class ReadView {
 public:
  explicit ReadView(const StoreState& st);
  ~ReadView();
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;
  const rocksdb::ReadOptions& options() const { return options_; }
  // Releases the snapshot now (before its store closes).
  void Release();

 private:
  rocksdb::DB* db_;
  rocksdb::ReadOptions options_;
};

// The entry of file `path`. Errors: NotFound naming path and id, Corruption, IOError.
Result<FileEntry> GetFileEntry(const StoreState& st, const rocksdb::ReadOptions& ro, std::string_view experiment_key,
                               std::string_view id, std::string_view path);

// Reads a file's content chunk by chunk and checks the hash at the end.
class ContentReader {
 public:
  // Errors: Corruption (the content's header is missing).
  static Result<ContentReader> Open(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry,
                                    std::string what);
  // Appends the next chunk (or a few, up to about 1 MiB) to *out; false at the end. Errors: Corruption (a
  // chunk is missing or of the wrong size, or the hash differs at the end), IOError.
  Result<bool> Next(std::string* out);
  uint64_t size() const { return entry_.size; }

 private:
  ContentReader(const StoreState& st, const rocksdb::ReadOptions& ro, FileEntry entry, std::string what,
                uint64_t data_id, uint32_t chunk_size);
  const StoreState* st_;
  rocksdb::ReadOptions ro_;  // the caller's snapshot; no block cache fill for large contents
  FileEntry entry_;
  std::string what_;
  uint64_t data_id_;
  uint32_t chunk_size_;
  uint32_t next_chunk_ = 0;
  std::shared_ptr<ContentHasher> hasher_;
};

Result<GarbageCollectStats> CollectGarbage(StoreState& st);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_STORE_H_
