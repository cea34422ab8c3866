// Reading: a file's entry and its content, chunk by chunk, checked against the
// hash at the end, under a read snapshot.
#ifndef LABSTORE_LIB_DATA_CONTENT_READ_H_
#define LABSTORE_LIB_DATA_CONTENT_READ_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>

#include "data/content_entry.h"
#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

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
                uint64_t data_id, uint32_t chunk_size, size_t part);
  const StoreState* st_;
  size_t part_;  // the part (store/union_read.h index) whose header was read: its chunks are there
  rocksdb::ReadOptions ro_;  // the caller's snapshot; no block cache fill for large contents
  FileEntry entry_;
  std::string what_;
  uint64_t data_id_;
  uint32_t chunk_size_;
  uint32_t next_chunk_ = 0;
  std::shared_ptr<ContentHasher> hasher_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_READ_H_
