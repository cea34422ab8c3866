// Creating a store directory so that a kill at any moment leaves no store, a
// whole one, or an unfinished creation that the next writer finishes.
// Private to lib/store; the protocol is in doc/format.md ("Creating a store").
//
// store dir := LABSTORE           "labstore store\nformat <N>\n"; written LAST,
//                                 after the database holds every column family
//                                 and meta "format_version": the store is whole
//              LABSTORE.creating  "labstore store being created\n"; written
//                                 FIRST, removed after LABSTORE: the directory
//                                 is ours and its creation is unfinished
//              writer.lock        flock'ed by the writer, holds its pid
//              <RocksDB files>
//
// shards/<n> := SHARD             "labstore shard\nformat 2\nuid <32 hex>\n";
//                                 written LAST: the shard's database is whole
//               SHARD.creating    written FIRST, removed after SHARD
//               writer.lock, <RocksDB files>   as above (store/shard_dir.h)
// A shard without SHARD is skipped by readers; the next process that claims
// it clears it and creates it again (nothing was stored: its Open never
// returned).
#ifndef LABSTORE_LIB_STORE_CREATION_H_
#define LABSTORE_LIB_STORE_CREATION_H_

#include <string>

#include "labstore/status.h"

namespace labstore::internal {

inline constexpr const char* kMarkerName = "LABSTORE";
inline constexpr const char* kCreatingName = "LABSTORE.creating";
inline constexpr const char* kLockName = "writer.lock";
inline constexpr const char* kShardMarkerName = "SHARD";
inline constexpr const char* kShardCreatingName = "SHARD.creating";

// What a directory holds, as Store::Open sees it before taking the lock.
struct DirState {
  int version = 0;        // from LABSTORE; 0 when there is none
  bool creating = false;  // LABSTORE.creating is there
  bool empty = false;     // nothing in the directory but perhaps writer.lock
  // Neither marker and not empty: not a labstore store.
  bool foreign() const { return version == 0 && !creating && !empty; }
};

// Reads the markers of `dir`. Errors: Corruption (LABSTORE is damaged).
Result<DirState> InspectDir(const std::string& dir);

// The format version in LABSTORE; 0 when there is no LABSTORE.
// Errors: Corruption (not "labstore store\nformat <N>\n").
Result<int> ReadMarker(const std::string& dir);

// Writes LABSTORE for `version` durably: a temporary file of this process,
// fsync, rename, fsync of the directory (processes creating shards may write
// it at once). Errors: IOError.
Status WriteMarker(const std::string& dir, int version);

// Creates LABSTORE.creating (if missing) and syncs the directory, so that the
// directory counts as ours from now on. Errors: IOError.
Status BeginCreation(const std::string& dir);

// Removes what an interrupted creation left in `dir` (RocksDB's files,
// LABSTORE.tmp); keeps writer.lock, LABSTORE.creating and any name that
// neither RocksDB nor labstore writes. The caller holds the writer lock and
// has seen no LABSTORE: no data can be in these files (Open had not returned).
// Errors: IOError.
Status ClearUnfinishedCreation(const std::string& dir);

// Removes LABSTORE.creating (LABSTORE must exist). Errors: IOError.
Status EndCreation(const std::string& dir);

// True when shard directory `shard_dir` holds SHARD: its creation finished.
bool ShardComplete(const std::string& shard_dir);

// Creates SHARD.creating in `shard_dir` and syncs it. Errors: IOError.
Status BeginShardCreation(const std::string& shard_dir);

// Writes SHARD (format 2, a fresh random uid) durably, then removes
// SHARD.creating. Errors: IOError.
Status EndShardCreation(const std::string& shard_dir);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_CREATION_H_
