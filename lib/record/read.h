// Reading chunks of a scope in row order. Private to lib/record.
#ifndef LABSTORE_LIB_RECORD_READ_H_
#define LABSTORE_LIB_RECORD_READ_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/iterator.h>

#include "labstore/record_reader.h"
#include "record/chunk.h"
#include "record/value_json.h"
#include "store/store_state.h"
#include "util/thread_spare.h"

namespace labstore::internal {

// The scope's metadata (empty, rows == 0, when it has none). Errors:
// Corruption naming the experiment and scope, IOError.
Result<ScopeInfo> LoadScope(const StoreState& st, std::string_view id, std::string_view exp_key, std::string_view scope);

// LoadScope, plus a check that no other scope of the experiment has the same
// scope_hash (InvalidArgument). Used by the writer.
Result<ScopeInfo> LoadScopeChecked(const StoreState& st, std::string_view id, std::string_view exp_key,
                                   std::string_view scope);

// Walks the chunks that hold rows [begin, end) of a scope, checking that they
// follow each other without gaps and pass their checksums.
class ChunkScanner {
 public:
  // Resolves the id, loads the scope and clips `range`. Errors: as GetScope.
  Status Open(const StoreState& st, std::string_view id, std::string_view scope, const RowRange& range);
  // The same with a known experiment key.
  Status OpenKey(const StoreState& st, std::string_view id, std::string_view exp_key, std::string_view scope,
                 const RowRange& range);

  // Decodes the next chunk; false at the end or on error (see status()).
  bool Next();
  // Lets go of the store (its iterator) for good: Next() returns false and
  // status() is `why` from now on.
  void End(Status why);
  const DecodedChunk& chunk() const { return *chunk_; }
  // The rows of chunk() to use: [lo, hi) in chunk row numbers.
  uint32_t lo() const { return lo_; }
  uint32_t hi() const { return hi_; }
  const Status& status() const { return status_; }
  const ScopeInfo& meta() const { return meta_; }
  uint64_t begin() const { return begin_; }
  uint64_t end() const { return end_; }

 private:
  Status Damaged(uint64_t start, std::string_view key_value, std::string_view reason);

  const StoreState* st_ = nullptr;
  std::string id_, exp_key_, scope_, prefix_, lower_, upper_;
  ScopeInfo meta_;
  uint64_t begin_ = 0, end_ = 0, next_row_ = 0;
  std::unique_ptr<rocksdb::Iterator> it_;
  bool started_ = false;
  ThreadSpare<DecodedChunk> chunk_;  // the thread's, reused between scans
  uint32_t lo_ = 0, hi_ = 0;
  Status status_;
};

// Bytes a decoded chunk holds (for ThreadSpare).
size_t Footprint(const DecodedChunk& chunk);

// ReadRows with a known experiment key.
Result<std::vector<Row>> ReadRowsOf(const StoreState& st, std::string_view id, std::string_view exp_key,
                                    std::string_view scope, const RowRange& range);

// Appends row `r` of `chunk` to `row` (cleared first), using per-column value
// cursors kept in `cursor` (one per column, advanced row by row from `lo`).
void MaterializeRow(const DecodedChunk& chunk, uint32_t r, std::vector<uint32_t>* cursor, Row* row);
// Sets `cursor` for reading from row `lo` of `chunk`.
void StartCursor(const DecodedChunk& chunk, uint32_t lo, std::vector<uint32_t>* cursor);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_READ_H_
