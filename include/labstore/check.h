// labstore/check.h — verifying a store and measuring it.
//
//   auto report = labstore::CheckStore(store);
//   for (const auto& d : report->damage) std::puts(d.ToString().c_str());
#ifndef LABSTORE_CHECK_H_
#define LABSTORE_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "labstore/progress.h"
#include "labstore/status.h"

namespace labstore {

class Store;

// One damaged thing, named so that a person can find it.
struct Damage {
  std::string experiment_id;  // empty for damage below the experiment level (an SST file)
  std::string
      what;  // "records scope \"default\"", "file data/x.npy", "experiment metadata",
             // "table file 000012.sst (column family \"records\")", "experiment id index (column family \"ids\")"
  std::string message;        // the error, e.g. "Corruption: chunk of rows 0..16383 ... fails its checksum"
  // "experiment <id>, <what>: <message>" (or "<what>: <message>"). Errors: none.
  std::string ToString() const;
};

struct CheckReport {
  uint64_t experiments = 0;  // experiments whose metadata decoded
  uint64_t scopes = 0;
  uint64_t rows = 0;         // record rows read and verified
  uint64_t files = 0;
  uint64_t file_bytes = 0;   // bytes read and verified against content hashes
  std::vector<Damage> damage;
  // Experiments a killed Import left part-written (not damage: importing the
  // same source again finishes them). Ids, in id order.
  std::vector<std::string> incomplete_imports;
  bool ok() const { return damage.empty(); }  // no damage; Errors: none
};

// Reads and verifies everything: RocksDB block checksums of every table file,
// every experiment's metadata and markers, every record chunk (checksum and
// decoding) and every data file (content hash). It does not stop at the first
// damage: each damaged scope, file or table is reported once (RocksDB stops
// at the first damaged table file; a damaged blob file shows as the data file
// whose chunks it holds). When the experiment id index is damaged, the
// experiments are found from their records and each one reached through the
// index is reported as damaged too. `progress`, if
// given, is called after each experiment (stage "check", done and total in
// experiments; labstore/progress.h). Works on a read-only handle.
// Errors (beyond damage, which is in the report): InvalidArgument (the store
// is closed), IOError / Corruption (reading the import markers).
Result<CheckReport> CheckStore(const Store& store, const ProgressCallback& progress = {});

struct ColumnFamilyStats {
  std::string name;
  uint64_t keys = 0;          // RocksDB's estimate
  uint64_t table_bytes = 0;   // SST files
  uint64_t blob_bytes = 0;    // blob files
  uint64_t memtable_bytes = 0;
};

struct StoreStats {
  uint64_t experiments = 0;
  uint64_t executions = 0;
  uint64_t scopes = 0;
  uint64_t record_rows = 0;
  uint64_t record_bytes = 0;    // stored (compressed) chunk bytes
  uint64_t files = 0;
  uint64_t file_bytes = 0;      // logical bytes of all files (shared contents counted per file)
  uint64_t disk_bytes = 0;      // everything in the store directory
  std::vector<ColumnFamilyStats> column_families;
};

// Counts and sizes. Works on a read-only handle. Errors: InvalidArgument (the
// store is closed), IOError, Corruption.
Result<StoreStats> GetStoreStats(const Store& store);

// One database of a store (doc/many-writers.md, "Parts"): the main one
// (number 0, the store directory) or a shard (shards/<number>).
struct StorePart {
  int number = 0;
  std::string dir;
  bool own = false;   // the part this handle writes (a read-only handle: the main database)
  bool held = false;  // a writer process holds it (this one included)
  bool complete = true;  // a shard whose creation finished (SHARD is there)
};

// The parts of the store, ascending. `held` is found by trying each other
// part's writer lock and letting go at once (a writer opening at that moment
// may take the next shard instead). Errors: InvalidArgument (the store is
// closed), IOError (shards/ cannot be listed).
Result<std::vector<StorePart>> ListStoreParts(const Store& store);

}  // namespace labstore

#endif  // LABSTORE_CHECK_H_
