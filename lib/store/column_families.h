// The column families of a store, in the order they are opened. The names are
// part of the on-disk format (doc/format.md): never rename or renumber.
#ifndef LABSTORE_LIB_STORE_COLUMN_FAMILIES_H_
#define LABSTORE_LIB_STORE_COLUMN_FAMILIES_H_

#include <array>

namespace labstore::internal {

enum Cf : int {
  kCfDefault = 0,  // unused; RocksDB requires it
  kCfMeta,         // store-wide settings: format version, counters
  kCfExperiments,  // experiment key -> ExperimentRecord
  kCfDefinitions,  // definition hash -> number of experiments of that definition
  kCfIds,          // 6-char id -> experiment key
  kCfByTime,       // ordered timestamp + sequence -> experiment key
  kCfStatus,       // experiment key + kind + ... -> markers, output, relations
  kCfGroups,       // group path -> pattern
  kCfProjects,     // project name -> directory
  kCfExecutions,   // execution number -> ExecutionRecord
  kCfRecords,      // record chunks
  kCfScopes,       // experiment key + scope -> scope metadata
  kCfFiles,        // experiment key + path -> file entry
  kCfBlobs,        // content hash -> bytes
  kCfCount,
};

inline constexpr std::array<const char*, kCfCount> kCfNames = {
    "default", "meta",     "experiments", "definitions", "ids",     "by_time", "status",
    "groups",  "projects", "executions",  "records",     "scopes",  "files",   "blobs",
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_COLUMN_FAMILIES_H_
