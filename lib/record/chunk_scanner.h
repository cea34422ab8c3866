// Reading the chunks of a scope in row order. Private to lib/record.
#ifndef LABSTORE_LIB_RECORD_CHUNK_SCANNER_H_
#define LABSTORE_LIB_RECORD_CHUNK_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/iterator.h>

#include "labstore/record_reader.h"
#include "record/chunk.h"
#include "record/chunk_ahead.h"
#include "store/store_state.h"
#include "util/thread_spare.h"

namespace labstore::internal {

// Walks the chunks that hold rows [begin, end) of a scope, checking that they
// follow each other without gaps and pass their checksums.
class ChunkScanner {
 public:
  // Resolves the id, loads the scope and clips `range`. Errors: as GetScope.
  Status Open(const StoreState& st, std::string_view id, std::string_view scope, const RowRange& range);
  // The same with a known experiment key.
  Status OpenKey(const StoreState& st, std::string_view id, std::string_view exp_key, std::string_view scope,
                 const RowRange& range);

  // Decodes the following chunks on `workers` threads ahead of Next() (call
  // after Open, before the first Next). Chunks, rows and errors stay as
  // without: a chunk that fails is read again in order to name it.
  void DecodeAhead(unsigned workers);

  // Decodes the next chunk; false at the end or on error (see status()).
  bool Next();
  // Lets go of the store (its iterator) for good: Next() returns false and
  // status() is `why` from now on.
  void End(Status why);
  const DecodedChunk& chunk() const { return *current_; }
  // The rows of chunk() to use: [lo, hi) in chunk row numbers.
  uint32_t lo() const { return lo_; }
  uint32_t hi() const { return hi_; }
  const Status& status() const { return status_; }
  const ScopeInfo& meta() const { return meta_; }
  uint64_t begin() const { return begin_; }
  uint64_t end() const { return end_; }

 private:
  Status Damaged(uint64_t start, std::string_view key_value, std::string_view reason);
  // Moves it_ to the next chunk of the range; false past it.
  bool Advance();
  // Sets status_ for a range that ends before end_ (an iterator error or a missing chunk).
  bool AtEnd(const rocksdb::Status& iterator_status);
  // Checks the chunk at it_ (decoding it unless `decoded` is given) and takes its rows.
  bool Take(const DecodedChunk* decoded);
  // Takes the rows of a checked chunk that starts at row `start`.
  bool TakeRows(uint64_t start, const DecodedChunk* decoded);
  bool NextAhead();

  const StoreState* st_ = nullptr;
  std::string id_, exp_key_, scope_, prefix_, lower_, upper_;
  ScopeInfo meta_;
  uint64_t begin_ = 0, end_ = 0, next_row_ = 0;
  std::unique_ptr<rocksdb::Iterator> it_;
  bool started_ = false;
  ThreadSpare<DecodedChunk> chunk_;  // the thread's, reused between scans
  const DecodedChunk* current_ = nullptr;
  std::unique_ptr<ChunkDecodeAhead> ahead_;
  bool ahead_done_ = false;  // it_ has passed the range (ahead_iterator_status_ says why)
  rocksdb::Status ahead_iterator_status_;
  uint32_t lo_ = 0, hi_ = 0;
  Status status_;
};

// Bytes a decoded chunk holds (for ThreadSpare).
size_t Footprint(const DecodedChunk& chunk);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_CHUNK_SCANNER_H_
