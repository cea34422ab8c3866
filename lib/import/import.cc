// Import: a machinable storage folder into a store (labstore/import.h).
//
// Per experiment, in two passes so that bad input never leaves half an
// experiment behind:
//   1. read and check everything: experiment.json and the other models, the
//      markers, output.log, every line of records/*.jsonl, the paths of all
//      other files (no symbolic links, valid names); Store::Make checks the
//      spec. Any problem leaves the experiment out, naming each problem.
//   2. write: Commit, markers, output, records (second read of the lines),
//      files. Then compare what export will write with the source's model
//      and marker files and warn where they differ.
// Executions follow, once all experiments are in.
//
// A killed import: pass 2 is bracketed by a meta key "import_pending/<id>"
// (lib/import/pending.h), put before Commit and deleted after the last file.
// An experiment found in the store with that key is finished by the next
// import of the same source (starts, output and record rows already there
// are kept, the rest is written; files are saved again) instead of skipped.
//
// This file holds the order of work; lib/import/importer.h lists the files
// of the steps.
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "experiment/id.h"
#include "fs/safe_dir.h"
#include "import/importer.h"
#include "import/pending.h"
#include "import/source.h"
#include "labstore/import.h"
#include "labstore/store.h"
#include "layout/names.h"
#include "util/progress_reporter.h"
#include "util/return_if_error.h"

namespace labstore::internal {

void Importer::Run(const Source& source) {
  ProgressReporter reporter(options_.progress, "import", source.experiments.size());
  report_.recorded_root = source.root;
  report_.scanned_folders = source.scanned;
  for (const ImportProblem& p : source.problems) report_.problems.push_back(p);
  std::set<std::string> in_source;
  for (const SourceExperiment& se : source.experiments) in_source.insert(se.id);
  std::vector<const SourceExperiment*> pending;
  for (const SourceExperiment& se : source.experiments) pending.push_back(&se);
  // Ancestors first: repeat until no experiment waits for one.
  bool progress = true;
  while (!pending.empty() && progress) {
    progress = false;
    std::vector<const SourceExperiment*> waiting;
    for (const SourceExperiment* se : pending) {
      uint64_t rows_before = report_.record_rows;
      if (!ImportOne(*se, in_source)) {
        waiting.push_back(se);
      } else {
        progress = true;
        reporter.Add(1, report_.record_rows - rows_before);
      }
    }
    pending = std::move(waiting);
  }
  for (const SourceExperiment* se : pending) {
    Problems p{se->id, &report_.problems};
    p.Fail(se->folder, "its ancestor is derived from it (a cycle)");
    report_.failed.push_back(se->id);
  }
  for (const SourceExecution& x : source.executions) ImportExecution(source, x);
  reporter.Finish();
}

bool Importer::ImportOne(const SourceExperiment& se, const std::set<std::string>& in_source) {
  Problems p{se.id, &report_.problems};
  std::optional<Experiment> resume;
  if (!se.problem.empty()) {
    p.Fail(se.folder, se.problem);
    return Failed(se.id);
  }
  if (auto n = DecodeId(se.id); !n.ok()) {
    p.Fail(se.folder, n.status().message());
    return Failed(se.id);
  }
  // Wait for an ancestor that is still to be imported.
  std::string ancestor = DerivedFrom(se);
  if (!ancestor.empty() && in_source.count(ancestor) && !present_.count(ancestor) && !failed_.count(ancestor)) {
    return false;
  }
  if (auto existing = store_.Find(se.id); existing.ok()) {
    int64_t ts = se.timestamp;
    if (ts == 0) ts = TimestampOf(se);
    auto pending = IsOwnImportPending(*internal::StateOf(store_), se.id);  // resumed into the own part
    if (!pending.ok()) {
      p.Fail(se.folder, pending.status().ToString());
      return Failed(se.id);
    }
    if (existing->timestamp == ts && !*pending) {
      report_.skipped.push_back(se.id);
      present_.insert(se.id);
      return true;
    }
    if (existing->timestamp != ts) {
      p.Fail(se.folder + "/" + kExperimentJson,
             fmt::format("id {} is already used in the store by an experiment with timestamp {}", se.id,
                         existing->timestamp));
      return Failed(se.id);
    }
    resume = std::move(*existing);  // a killed import left it part-written
  }
  ImportPlan plan;
  Read(se, &plan, &p);
  // The ancestor: imported (or present) before this one.
  if (!plan.derived_from.empty()) {
    const std::string& a = plan.derived_from;
    if (failed_.count(a)) {
      p.Fail(se.folder, fmt::format("its ancestor {} was not imported", a));
      return Failed(se.id);
    }
    if (present_.count(a) || store_.Find(a).ok()) {
      plan.spec.ancestor = a;
      auto anc = store_.Find(a);
      if (anc.ok() && plan.derived_from_timestamp && *plan.derived_from_timestamp != anc->timestamp) {
        p.Warn(se.folder + "/" + kExperimentJson,
               fmt::format("derived_from_timestamp {} differs from the ancestor's timestamp {}",
                           *plan.derived_from_timestamp, anc->timestamp));
      }
    } else {
      p.Warn(se.folder + "/" + kExperimentJson,
             fmt::format("ancestor {} is neither in the source nor in the store: imported as not derived", a));
    }
  }
  if (p.fatal) return Failed(se.id);
  auto made = resume ? Result<Experiment>(std::move(*resume)) : store_.Make(plan.spec);
  if (!made.ok()) {
    p.Fail(se.folder + "/" + kExperimentJson, made.status().message());
    return Failed(se.id);
  }
  Status s = Write(se, plan, *made);
  if (!s.ok()) {
    p.Fail(se.folder, fmt::format("partially imported, then: {}", s.ToString()));
    present_.insert(se.id);  // it is in the store
    return Failed(se.id);
  }
  present_.insert(se.id);
  report_.imported.push_back(se.id);
  CheckFidelity(se, plan, &p);
  return true;
}

bool Importer::Failed(const std::string& id) {
  failed_.insert(id);
  report_.failed.push_back(id);
  return true;
}

std::optional<PyJson> Importer::ReadJson(const std::string& rel, Problems* p, bool required) {
  auto text = src_.Read(rel);
  if (!text.ok()) {
    if (required || !text.status().IsNotFound()) p->Fail(rel, text.status().message());
    return std::nullopt;
  }
  auto v = ParsePyJson(*text, rel);
  if (!v.ok()) {
    p->Fail(rel, v.status().message());
    return std::nullopt;
  }
  return std::move(*v);
}

}  // namespace labstore::internal

namespace labstore {
using namespace internal;  // NOLINT: this file implements the public Import over internal pieces

std::string ImportReport::ToString() const {
  std::string out = fmt::format(
      "imported {} experiments ({} already present, {} failed), {} executions ({} already present), {} record rows, "
      "{} files{}{}\n",
      imported.size(), skipped.size(), failed.size(), executions, executions_skipped, record_rows, files,
      recorded_root.empty() ? "" : "; recorded root " + recorded_root,
      scanned_folders ? "; storage.sqlite not used" : "");
  for (const ImportProblem& p : problems) {
    out += p.fatal ? "error: " : "warning: ";
    if (!p.experiment_id.empty()) out += p.experiment_id + ": ";
    if (!p.path.empty()) out += p.path + ": ";
    out += p.message + "\n";
  }
  return out;
}

Result<ImportReport> Import(Store& store, std::string_view src, const ImportOptions& options) {
  if (store.read_only()) return Status::InvalidArgument("cannot import into a read-only store");
  LABSTORE_RETURN_IF_ERROR(CheckImportSource(src));
  std::string path(src);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  auto dir = SafeDir::Open(path, /*create=*/false);
  if (!dir.ok()) return dir.status();
  auto source = ReadSource(*dir, options);
  if (!source.ok()) return source.status();
  ImportReport report;
  Importer(store, *dir, report, options).Run(*source);
  return report;
}

}  // namespace labstore
