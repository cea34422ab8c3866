// The Importer: one Import call's state and its steps, shared by the files of
// lib/import that implement them (lib/import/import.cc tells the order):
//
//   import.cc             Run (ancestors first), ImportOne, the public Import
//   import_experiment.cc  Read: experiment.json and the model files -> spec
//   import_folder.cc      the folder walk: markers, output.log, records, files
//   import_write.cc       pass 2: Write, records and file copying
//   import_fidelity.cc    CheckFidelity: export's bytes against the source's
//   import_execution.cc   ImportExecution
#ifndef LABSTORE_LIB_IMPORT_IMPORTER_H_
#define LABSTORE_LIB_IMPORT_IMPORTER_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fs/safe_dir.h"
#include "import/source.h"
#include "json/py_json.h"
#include "labstore/experiment.h"
#include "labstore/import.h"
#include "labstore/store.h"
#include "labstore/time.h"

namespace labstore::internal {

// The problems of one experiment (or of an execution, with an empty id).
struct Problems {
  std::string id;
  std::vector<ImportProblem>* out;
  bool fatal = false;
  void Fail(std::string path, std::string message) {
    out->push_back({id, std::move(path), std::move(message), true});
    fatal = true;
  }
  void Warn(std::string path, std::string message) { out->push_back({id, std::move(path), std::move(message), false}); }
};

struct ScopeFile {
  std::string name;
  std::string rel;  // relative to src
  uint64_t rows = 0;
};

// One experiment, read and checked (pass 1).
struct ImportPlan {
  ExperimentSpec spec;
  std::string derived_from;  // ancestor id by experiment.json (or storage.sqlite)
  std::optional<int64_t> derived_from_timestamp;
  std::vector<Timestamp> started;
  std::optional<Timestamp> heartbeat, finished;
  std::string output;
  std::vector<ScopeFile> scopes;
  std::vector<std::string> files;                // relative to the experiment folder
  std::map<std::string, std::string> originals;  // source bytes of the files export regenerates
};

inline bool IsStringList(const PyJson& v) {
  return v.is_array() && std::all_of(v.items().begin(), v.items().end(), [](const PyJson& i) { return i.is_string(); });
}

class Importer {
 public:
  Importer(Store& store, const SafeDir& src, ImportReport& report, const ImportOptions& options)
      : store_(store), src_(src), report_(report), options_(options) {}

  void Run(const Source& source);

 private:
  // false: waits for its ancestor. true: done (imported, skipped or failed).
  bool ImportOne(const SourceExperiment& se, const std::set<std::string>& in_source);
  bool Failed(const std::string& id);
  std::optional<PyJson> ReadJson(const std::string& rel, Problems* p, bool required);

  // A field of the source's experiment.json, or nullopt (problems are reported by Read).
  std::optional<PyJson> ModelField(const SourceExperiment& se, std::string_view key);
  int64_t TimestampOf(const SourceExperiment& se);
  std::string DerivedFrom(const SourceExperiment& se);

  // ---- pass 1: read and check ----------------------------------------------
  void Read(const SourceExperiment& se, ImportPlan* plan, Problems* p);
  void ReadMarker(const std::string& rel, const std::string& name, ImportPlan* plan, Problems* p);
  // Checks every line of a records file; counts its rows.
  void CheckRecords(const std::string& rel, ScopeFile* scope, Problems* p);
  // Files below `dir` (relative to the experiment folder `base`).
  void CollectFiles(const std::string& base, const std::string& dir, ImportPlan* plan, Problems* p);
  void ReadFolder(const SourceExperiment& se, ImportPlan* plan, Problems* p);

  // ---- pass 2: write --------------------------------------------------------
  // Writes a made experiment, or finishes one that a killed import left
  // part-written (e.stored): what is already there is kept.
  Status Write(const SourceExperiment& se, const ImportPlan& plan, Experiment& e);
  // Appends the scope's lines past the rows already stored (a resumed import).
  Status WriteRecords(const std::string& id, const ScopeFile& scope);
  Status WriteFile(const std::string& id, const std::string& src_rel, const std::string& path);
  // Warns where export will not reproduce the source's bytes.
  void CheckFidelity(const SourceExperiment& se, const ImportPlan& plan, Problems* p);

  // ---- executions -----------------------------------------------------------
  void ImportExecution(const Source& source, const SourceExecution& x);

  Store& store_;
  const SafeDir& src_;
  ImportReport& report_;
  const ImportOptions& options_;
  std::set<std::string> present_;  // in the store now (imported or there before)
  std::set<std::string> failed_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_IMPORT_IMPORTER_H_
