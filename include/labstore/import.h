// labstore/import.h — reading a machinable storage folder into a store.
//
// Import() reads a storage written by machinable 4.1 (folders + storage.sqlite,
// layout in doc/format.md, "Export") — or by labstore's Export — into
// the store: experiments with their ids, timestamps, seeds, configs, versions,
// predicates, groups, projects, ancestors and used elements; status markers;
// output.log; executions with their host info, resources and env; records of
// every JSON type (NaN, ±Infinity, integers of any size); every other file of
// an experiment folder (data/…, save_file targets) byte for byte.
//
//   auto report = labstore::Import(store, "/srv/lab/storage");
//   if (!report.ok()) return report.status();          // src unusable
//   std::fputs(report->ToString().c_str(), stdout);    // what was imported, what was not
//
// storage.sqlite records absolute paths from the machine that wrote it; the
// recorded root (e.g. "/srv/lab/storage") is detected from the experiments'
// storage ids and mapped to `src`. If storage.sqlite is missing or unreadable,
// the experiments are found by scanning the folders instead (relations then
// come from group.json, project.json, the derived/ nesting and the
// execution folders), and the report says so.
//
// Each experiment is imported whole or not at all: everything it consists of
// is read and checked before anything is written, and a problem (a bad JSON
// line, a missing experiment.json, a malformed marker, a path that escapes,
// a symbolic link) leaves it out and is named in the report. Experiments
// derived from a left-out experiment are left out too. Importing the same
// source twice adds nothing the second time: an id already in the store with
// the same timestamp is skipped, an execution already there (same member,
// nickname and timestamp) is not added again.
//
// Only an I/O error of the store after the checks (disk full) can leave an
// experiment part-written; the report then says which.
#ifndef LABSTORE_IMPORT_H_
#define LABSTORE_IMPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/progress.h"
#include "labstore/status.h"

namespace labstore {

class Store;

struct ImportOptions {
  // The absolute directory the storage was written at, as its storage.sqlite
  // records it. Empty (the default): detected from the experiments' storage ids.
  std::string recorded_root;
  // Called after each experiment (stage "import", done/total in experiments,
  // rows = record rows imported). See labstore/progress.h. Default: none.
  ProgressCallback progress;
};

struct ImportProblem {
  std::string experiment_id;  // empty when not about one experiment
  std::string path;           // file concerned, relative to src; may be empty
  std::string message;
  // true: the experiment (or, without an id, the item named) was not
  // imported; false: imported, with what the message says lost or changed.
  bool fatal = true;
};

struct ImportReport {
  std::string recorded_root;          // as detected (or given)
  bool scanned_folders = false;       // storage.sqlite was not usable
  std::vector<std::string> imported;  // experiment ids, in import order
  std::vector<std::string> skipped;   // already in the store
  std::vector<std::string> failed;    // left out, see problems
  uint64_t executions = 0;            // executions added
  uint64_t executions_skipped = 0;    // already in the store
  uint64_t record_rows = 0;
  uint64_t files = 0;                 // data and other files
  std::vector<ImportProblem> problems;

  // No experiment failed and no problem at all. Errors: none (nor ToString).
  bool clean() const { return failed.empty() && problems.empty(); }
  // A summary line, then one line per problem.
  std::string ToString() const;
};

// Whether `src` is a machinable storage that Import accepts: a folder holding
// a regular file storage.sqlite (a storage with no experiments yet counts),
// or at least one top-level folder (not hidden) with an experiment.json.
// An empty folder is not one. Reads only; no store involved, so a tool can
// check before it opens (or creates) a store.
// Errors: NotFound (`src` does not exist), InvalidArgument (not a folder, or
// a folder that is not a machinable storage; the message names `src` and
// what was expected), IOError.
//
//   if (labstore::Status s = labstore::CheckImportSource(src); !s.ok()) return s;
Status CheckImportSource(std::string_view src);

// Imports the machinable storage in `src`.
// Errors (nothing imported, nothing written to the store): those of
// CheckImportSource, and InvalidArgument (the store is read-only). Everything
// else is reported in the ImportReport.
Result<ImportReport> Import(Store& store, std::string_view src, const ImportOptions& options = {});

}  // namespace labstore

#endif  // LABSTORE_IMPORT_H_
