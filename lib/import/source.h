// What a machinable storage folder holds, before anything is imported: its
// experiments and executions with their folders relative to the source, read
// from storage.sqlite (with the recorded absolute root mapped to the source),
// or found by scanning the folders when storage.sqlite is not usable.
#ifndef LABSTORE_LIB_IMPORT_SOURCE_H_
#define LABSTORE_LIB_IMPORT_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fs/safe_dir.h"
#include "labstore/experiment.h"
#include "labstore/import.h"

namespace labstore::internal {

struct SourceExperiment {
  int64_t row = 0;         // experiments.id (0 when scanned)
  std::string id;          // experiment_id
  int64_t timestamp = 0;   // experiments.timestamp (0 when scanned)
  std::string folder;      // relative to the source root
  std::optional<Group> group;      // from the groups table
  std::optional<Project> project;  // from the projects table
  std::string ancestor;    // ancestor's experiment_id by ancestor_id / derived/ nesting
  std::string elements;    // uses as a JSON array made from the elements table, or empty
  std::string problem;     // why it cannot be imported (e.g. a path that escapes), or empty
};

struct SourceExecution {
  int64_t row = 0;                   // executions.id (0 when scanned)
  std::string folder_name;           // execution-<suffix>
  std::string storage_folder;        // folder (relative) of the experiment holding resources/env
  std::vector<std::string> members;  // experiment ids; the storage folder's experiment last
  std::string problem;
};

struct Source {
  std::string root;      // recorded absolute root
  bool scanned = false;  // storage.sqlite was not usable
  std::vector<SourceExperiment> experiments;  // in commit order (row id), or by timestamp when scanned
  std::vector<SourceExecution> executions;    // in creation order
  std::vector<ImportProblem> problems;        // not tied to one experiment
};

// The recorded root of a storage from its experiments' (experiment_id,
// storage_id) pairs: the folder that holds the non-derived experiments. Empty
// if there are no rows.
std::string DetectRoot(const std::vector<std::pair<std::string, std::string>>& id_and_storage_id);

// OK when `src` is a machinable storage (labstore/import.h, CheckImportSource);
// InvalidArgument naming the folder otherwise; IOError.
Status CheckStorageFolder(const SafeDir& src);

// Reads storage.sqlite of `src` (or scans the folders). Errors: IOError only
// when the source cannot be listed at all; everything else is a problem.
Result<Source> ReadSource(const SafeDir& src, const ImportOptions& options);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_IMPORT_SOURCE_H_
