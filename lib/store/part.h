// One RocksDB database of a store (doc/many-writers.md, "Parts"): the main
// database in the store directory (number 0) or a shard (shards/<n>, n >= 1),
// each with every column family of store/column_families.h.
//
// Opening one is the same for every part: the column families' options (block
// cache, Bloom filters, compression) are chosen here, once. A handle writes at
// most one part, its own (StoreState::db); it reads the others through
// read-only views (StoreState::views).
#ifndef LABSTORE_LIB_STORE_PART_H_
#define LABSTORE_LIB_STORE_PART_H_

#include <array>
#include <memory>
#include <string>

#include <rocksdb/db.h>

#include "labstore/options.h"
#include "labstore/status.h"
#include "store/column_families.h"

namespace labstore::internal {

struct Part {
  int number = 0;        // 0: the main database; n: shards/<n>
  std::string dir;       // the database's directory
  bool read_only = true;
  // Read-only: DirStamp(dir) taken just before the open; empty when unknown.
  std::string open_stamp;
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, kCfCount> cf{};

  rocksdb::ColumnFamilyHandle* handle(Cf c) const { return cf[c]; }
};

// Opens the database in part->dir, read-only or as its writer as
// part->read_only says (a writer creates missing column families). A read-only
// open sees every write its writer has acknowledged, and retries while the
// writer's flushes and compactions replace files under it.
// Errors: NotFound (read-only: the database's creation has not finished);
// Corruption (naming the table or write-ahead log); Busy (RocksDB's own lock);
// IOError.
Status OpenPart(const StoreOptions& options, Part* part);

// Releases the column families and closes the database, without a flush.
// Nothing when it is not open. Errors: IOError (the first error met).
Status ClosePart(Part* part);

// The names and sizes of the current MANIFEST and of every write-ahead log in
// `dir`: what a read-only open reads. Equal stamps taken before two opens
// mean that the second would see the same database as the first (a writer
// stores nothing without growing a log or, for writes without a log,
// recording a flush in the MANIFEST). Empty when `dir` cannot be listed
// (never equal to a stamp taken earlier, see Part::open_stamp).
std::string DirStamp(const std::string& dir);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_PART_H_
