// What an open Store holds. Private to lib/.
#ifndef LABSTORE_LIB_STORE_STORE_STATE_H_
#define LABSTORE_LIB_STORE_STORE_STATE_H_

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <rocksdb/db.h>

#include "labstore/options.h"
#include "labstore/status.h"
#include "labstore/store.h"
#include "store/column_families.h"
#include "store/lock_file.h"
#include "store/open_handles.h"
#include "store/part.h"

namespace labstore::internal {

struct StoreState {
  std::string dir;
  bool read_only = false;
  StoreOptions options;       // as opened (Refresh reopens with them)
  // Read-only: the MANIFEST and logs as they were just before the database
  // was opened (store/part.h DirStamp); empty when unknown. Refresh compares it.
  std::string open_stamp;
  LockFile lock;              // writers only
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> cf{};
  // The part `db` is (0: the main database; n: shards/<n>), and read-only
  // views of the store's other parts, ascending by number
  // (doc/many-writers.md). No views for a store that never had a shard: every
  // read goes to `db` alone.
  int part = 0;
  std::vector<std::unique_ptr<Part>> views;
  // Views a writer's Refresh replaced while handles were open (readers may
  // iterate them): closed at the next Refresh without open handles, or at Close.
  std::vector<std::unique_ptr<Part>> retired_views;
  // Serializes writes that allocate ids, ordinals and sequence numbers.
  std::mutex write_mu;
  // The lowest sequence number the own part may draw next (persisted in its
  // meta "next_sequence"; store/sequence.h).
  uint64_t next_sequence = 1;
  // Writers and readers that Close (and Refresh) must end first.
  OpenHandles handles;

  rocksdb::ColumnFamilyHandle* handle(Cf c) const { return cf[c]; }

  // InvalidArgument for writes on a read-only handle; ok otherwise.
  Status CheckWritable(std::string_view operation) const;
};

// The state of an open Store (null after it was moved from). The one way
// lib/, tests and bench/ reach the database behind the public Store.
StoreState* StateOf(const Store& store);

// Every (key, value) of a column family in the union of the parts (each key
// once, own part first: store/union_read.h), in key order. Errors: IOError.
Result<std::vector<std::pair<std::string, std::string>>> ScanPairs(const StoreState& st, Cf cf);

// Maps a RocksDB status to ours, with `context` (what was being done) in front.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_STORE_STATE_H_
