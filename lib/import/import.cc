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
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "data/path.h"
#include "experiment/id.h"
#include "export/layout.h"
#include "export/safe_dir.h"
#include "import/pending.h"
#include "import/record_line.h"
#include "import/source.h"
#include "json/py_json.h"
#include "labstore/data.h"
#include "labstore/import.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/scope.h"
#include "util/progress_reporter.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements the public Import over internal pieces

namespace {

constexpr size_t kMaxLineProblems = 5;    // per records file
constexpr size_t kStreamAbove = 8u << 20;  // files larger than this are streamed

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
struct Plan {
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

bool IsMarker(std::string_view name) { return name == "started_at" || name == "heartbeat_at" || name == "finished_at"; }

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Column and scope names, as labstore/record.h states them; "" when valid.
std::string RecordNameProblem(std::string_view what, std::string_view name) {
  Status s = ValidateRecordName(what, name);
  return s.ok() ? std::string() : s.message();
}

bool IsStringList(const PyJson& v) {
  return v.is_array() && std::all_of(v.items().begin(), v.items().end(), [](const PyJson& i) { return i.is_string(); });
}

class Importer {
 public:
  Importer(Store& store, const SafeDir& src, ImportReport& report, const ImportOptions& options)
      : store_(store), src_(src), report_(report), options_(options) {}

  void Run(const Source& source) {
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

 private:
  // false: waits for its ancestor. true: done (imported, skipped or failed).
  bool ImportOne(const SourceExperiment& se, const std::set<std::string>& in_source) {
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
      auto pending = IsImportPending(*store_.state(), se.id);
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
        p.Fail(se.folder + "/experiment.json",
               fmt::format("id {} is already used in the store by an experiment with timestamp {}", se.id,
                           existing->timestamp));
        return Failed(se.id);
      }
      resume = std::move(*existing);  // a killed import left it part-written
    }
    Plan plan;
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
          p.Warn(se.folder + "/experiment.json",
                 fmt::format("derived_from_timestamp {} differs from the ancestor's timestamp {}",
                             *plan.derived_from_timestamp, anc->timestamp));
        }
      } else {
        p.Warn(se.folder + "/experiment.json",
               fmt::format("ancestor {} is neither in the source nor in the store: imported as not derived", a));
      }
    }
    if (p.fatal) return Failed(se.id);
    auto made = resume ? Result<Experiment>(std::move(*resume)) : store_.Make(plan.spec);
    if (!made.ok()) {
      p.Fail(se.folder + "/experiment.json", made.status().message());
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

  // A field of the source's experiment.json, or nullopt (problems are reported by Read).
  std::optional<PyJson> ModelField(const SourceExperiment& se, std::string_view key) {
    auto text = src_.Read(se.folder + "/experiment.json");
    if (!text.ok()) return std::nullopt;
    auto m = ParsePyJson(*text, "experiment.json");
    if (!m.ok() || !m->is_object() || m->Find(key) == nullptr) return std::nullopt;
    return *m->Find(key);
  }

  int64_t TimestampOf(const SourceExperiment& se) {
    auto ts = ModelField(se, "timestamp");
    return ts && ts->AsInt64() ? *ts->AsInt64() : 0;
  }

  std::string DerivedFrom(const SourceExperiment& se) {
    auto from = ModelField(se, "derived_from_id");
    return from && from->is_string() ? from->text() : se.ancestor;
  }

  bool Failed(const std::string& id) {
    failed_.insert(id);
    report_.failed.push_back(id);
    return true;
  }

  // ---- pass 1: read and check ----------------------------------------------

  std::optional<PyJson> ReadJson(const std::string& rel, Problems* p, bool required) {
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

  void Read(const SourceExperiment& se, Plan* plan, Problems* p) {
    const std::string& f = se.folder;
    ExperimentSpec& spec = plan->spec;
    spec.id = se.id;
    auto model = ReadJson(f + "/experiment.json", p, true);
    if (model && !model->is_object()) {
      p->Fail(f + "/experiment.json", "not a JSON object");
      model.reset();
    }
    if (model) {
      const std::string rel = f + "/experiment.json";
      auto field = [&](std::string_view k) { return model->Find(k); };
      const PyJson* module = field("module");
      if (module == nullptr || !module->is_string()) {
        p->Fail(rel, "\"module\" is missing or not a string");
      } else {
        spec.module = module->text();
      }
      const PyJson* version = field("version");
      if (version != nullptr && !version->is_array() && !version->is_null()) p->Fail(rel, "\"version\" is not a list");
      spec.version = version != nullptr && version->is_array() ? DumpPyJson(*version, PyDialect::kFile) : "[]";
      const PyJson* config = field("config");
      if (config == nullptr || config->is_null()) {
        p->Warn(rel, "\"config\" is null: imported as {}");
        spec.config = "{}";
      } else if (!config->is_object()) {
        p->Fail(rel, "\"config\" is not an object");
      } else {
        spec.config = DumpPyJson(*config, PyDialect::kFile);
      }
      const PyJson* predicate = field("predicate");
      if (predicate != nullptr && !predicate->is_null()) spec.predicate = DumpPyJson(*predicate, PyDialect::kFile);
      const PyJson* lineage = field("lineage");
      if (lineage != nullptr && IsStringList(*lineage)) {
        spec.lineage = DumpPyJson(*lineage, PyDialect::kFile);
      } else {
        p->Warn(rel, "\"lineage\" is missing or not a list of strings: machinable's default is stored");
      }
      const PyJson* id = field("experiment_id");
      if (id == nullptr || !id->is_string() || id->text() != se.id) {
        p->Fail(rel, fmt::format("\"experiment_id\" is not \"{}\"", se.id));
      }
      const PyJson* ts = field("timestamp");
      if (ts == nullptr || !ts->AsInt64()) {
        p->Fail(rel, "\"timestamp\" is missing or not an integer");
      } else {
        spec.timestamp = *ts->AsInt64();
        if (se.timestamp != 0 && se.timestamp != *spec.timestamp) {
          p->Warn(rel, fmt::format("timestamp {} differs from storage.sqlite's {}", *spec.timestamp, se.timestamp));
        }
      }
      const PyJson* seed = field("seed");
      if (seed == nullptr || !seed->AsInt64() || *seed->AsInt64() < 0 || *seed->AsInt64() > INT32_MAX) {
        p->Fail(rel, "\"seed\" is missing or not an integer in [0, 2^31-1]");
      } else {
        spec.seed = static_cast<int32_t>(*seed->AsInt64());
      }
      const PyJson* from = field("derived_from_id");
      if (from != nullptr && from->is_string()) plan->derived_from = from->text();
      const PyJson* from_ts = field("derived_from_timestamp");
      if (from_ts != nullptr && from_ts->AsInt64()) plan->derived_from_timestamp = *from_ts->AsInt64();
      if (plan->derived_from.empty() && !se.ancestor.empty()) plan->derived_from = se.ancestor;
      if (!se.ancestor.empty() && se.ancestor != plan->derived_from) {
        p->Warn(rel, fmt::format("derived_from_id {} differs from storage.sqlite's ancestor {}", plan->derived_from,
                                 se.ancestor));
      }
    }
    // uses: uses.json, else the elements rows.
    if (auto uses = ReadJson(f + "/uses.json", p, false)) {
      if (!uses->is_array()) {
        p->Fail(f + "/uses.json", "not a JSON list");
      } else {
        spec.uses = DumpPyJson(*uses, PyDialect::kFile);
      }
    } else {
      spec.uses = se.elements.empty() ? "[]" : se.elements;
    }
    // group and project: storage.sqlite, else group.json / project.json.
    if (se.group) {
      spec.group = se.group->pattern;
      spec.group_path = se.group->path;
    } else if (auto g = ReadJson(f + "/group.json", p, false)) {
      const PyJson* pattern = g->is_object() ? g->Find("pattern") : nullptr;
      const PyJson* path = g->is_object() ? g->Find("path") : nullptr;
      if (pattern == nullptr || !pattern->is_string() || path == nullptr || !path->is_string()) {
        p->Fail(f + "/group.json", "\"pattern\" and \"path\" must be strings");
      } else {
        spec.group = pattern->text();
        spec.group_path = path->text();
      }
    } else {
      p->Warn(f, "no group in storage.sqlite and no group.json: the store's default group is used");
    }
    if (se.project) {
      spec.project = se.project->name;
      spec.project_directory = se.project->directory;
    } else if (auto pr = ReadJson(f + "/project.json", p, false)) {
      const PyJson* name = pr->is_object() ? pr->Find("name") : nullptr;
      const PyJson* dir = pr->is_object() ? pr->Find("directory") : nullptr;
      if (name == nullptr || !name->is_string()) {
        p->Fail(f + "/project.json", "\"name\" must be a string");
      } else {
        spec.project = name->text();
        if (dir != nullptr && dir->is_string()) spec.project_directory = dir->text();
      }
    }
    for (const char* name : {"experiment.json", "project.json", "group.json", "uses.json"}) {
      if (auto text = src_.Read(f + "/" + name); text.ok()) plan->originals[name] = std::move(*text);
    }
    ReadFolder(se, plan, p);
  }

  void ReadMarker(const std::string& rel, const std::string& name, Plan* plan, Problems* p) {
    auto text = src_.Read(rel);
    if (!text.ok()) {
      p->Fail(rel, text.status().message());
      return;
    }
    plan->originals[name] = *text;
    if (name == "started_at") {
      ForEachLine(*text, [&](size_t n, std::string_view line) {
        auto t = ParseIso(Trimmed(line));
        if (!t.ok()) {
          p->Fail(rel, fmt::format("line {}: {}", n, t.status().message()));
        } else {
          plan->started.push_back(*t);
        }
      });
      return;
    }
    auto t = ParseIso(Trimmed(*text));
    if (!t.ok()) {
      p->Fail(rel, t.status().message());
      return;
    }
    (name == "heartbeat_at" ? plan->heartbeat : plan->finished) = *t;
  }

  // Checks every line of a records file; counts its rows.
  void CheckRecords(const std::string& rel, ScopeFile* scope, Problems* p) {
    auto text = src_.Read(rel);
    if (!text.ok()) {
      p->Fail(rel, text.status().message());
      return;
    }
    size_t bad = 0;
    std::unordered_set<std::string> columns;
    auto fail = [&](size_t n, const std::string& why) {
      if (++bad <= kMaxLineProblems) p->Fail(rel, fmt::format("line {}: {}", n, why));
    };
    ForEachLine(*text, [&](size_t n, std::string_view line) {
      ++scope->rows;
      if (std::string why = RecordLineProblem(line, &columns); !why.empty()) fail(n, why);
    });
    if (bad > kMaxLineProblems) p->Fail(rel, fmt::format("{} more bad lines", bad - kMaxLineProblems));
  }

  // Files below `dir` (relative to the experiment folder `base`).
  void CollectFiles(const std::string& base, const std::string& dir, Plan* plan, Problems* p) {
    std::string at = dir.empty() ? base : base + "/" + dir;
    auto entries = src_.List(at);
    if (!entries.ok()) {
      p->Fail(at, entries.status().message());
      return;
    }
    for (const DirEntry& e : *entries) {
      std::string rel = dir.empty() ? e.name : dir + "/" + e.name;
      if (e.name.starts_with(kTempPrefix)) continue;  // an export's temporary
      if (dir.empty() && (e.name == "experiment.json" || e.name == "project.json" || e.name == "group.json" ||
                          e.name == "uses.json" || e.name == "derived" || e.name.starts_with("execution-"))) {
        continue;
      }
      switch (e.kind) {
        case EntryKind::kSymlink:
          p->Fail(base + "/" + rel, "a symbolic link: links are not followed (it could point outside the storage)");
          break;
        case EntryKind::kDir: CollectFiles(base, rel, plan, p); break;
        case EntryKind::kFile:
          if (dir.empty() && IsMarker(e.name)) {
            ReadMarker(base + "/" + rel, e.name, plan, p);
          } else if (dir.empty() && e.name == "output.log") {
            auto text = src_.Read(base + "/" + rel);
            if (!text.ok()) {
              p->Fail(base + "/" + rel, text.status().message());
            } else {
              plan->output = std::move(*text);
            }
          } else if (dir == "records") {
            if (!e.name.ends_with(".jsonl") || e.name.size() == 6) {
              p->Warn(base + "/" + rel, "not a records file (records/<scope>.jsonl): not imported");
              break;
            }
            ScopeFile scope{e.name.substr(0, e.name.size() - 6), base + "/" + rel};
            if (auto why = RecordNameProblem("scope", scope.name); !why.empty()) {
              p->Fail(base + "/" + rel, why);
              break;
            }
            CheckRecords(scope.rel, &scope, p);
            plan->scopes.push_back(std::move(scope));
          } else if (dir.starts_with("records")) {
            p->Fail(base + "/" + rel, "records in a sub-folder (a scope name with '/') are not supported");
          } else if (Status valid = ValidatePath(rel); !valid.ok()) {
            p->Fail(base + "/" + rel, valid.message());
          } else {
            plan->files.push_back(rel);
          }
          break;
        default: p->Warn(base + "/" + rel, "not a regular file or folder: not imported"); break;
      }
    }
  }

  void ReadFolder(const SourceExperiment& se, Plan* plan, Problems* p) { CollectFiles(se.folder, "", plan, p); }

  // ---- pass 2: write --------------------------------------------------------

  // Writes a made experiment, or finishes one that a killed import left
  // part-written (e.stored): what is already there is kept.
  Status Write(const SourceExperiment& se, const Plan& plan, Experiment& e) {
    size_t started = 0;
    std::string output;
    if (e.stored) {
      auto status = store_.GetStatus(e.id);
      if (!status.ok()) return status.status();
      started = std::min(status->started_at.size(), plan.started.size());
      auto text = store_.ReadOutput(e.id);
      if (!text.ok()) return text.status();
      output = std::move(*text);
    } else {
      LABSTORE_RETURN_IF_ERROR(SetImportPending(*store_.state(), se.id, true));
      LABSTORE_RETURN_IF_ERROR(store_.Commit(e));
    }
    for (size_t i = started; i < plan.started.size(); ++i) LABSTORE_RETURN_IF_ERROR(store_.MarkStarted(e.id, plan.started[i]));
    if (plan.finished) LABSTORE_RETURN_IF_ERROR(store_.MarkFinished(e.id, *plan.finished));
    if (plan.heartbeat) LABSTORE_RETURN_IF_ERROR(store_.UpdateHeartbeat(e.id, *plan.heartbeat));
    if (plan.output.size() > output.size() && plan.output.starts_with(output)) {
      LABSTORE_RETURN_IF_ERROR(store_.AppendOutput(e.id, std::string_view(plan.output).substr(output.size())));
    }
    for (const ScopeFile& scope : plan.scopes) LABSTORE_RETURN_IF_ERROR(WriteRecords(e.id, scope));
    for (const std::string& rel : plan.files) LABSTORE_RETURN_IF_ERROR(WriteFile(e.id, se.folder + "/" + rel, rel));
    return SetImportPending(*store_.state(), se.id, false);
  }

  // Appends the scope's lines past the rows already stored (a resumed import).
  Status WriteRecords(const std::string& id, const ScopeFile& scope) {
    auto stored = CountRows(store_, id, scope.name);
    if (!stored.ok() && !stored.status().IsNotFound()) return stored.status();
    const uint64_t skip = stored.ok() ? *stored : 0;
    auto text = src_.Read(scope.rel);
    if (!text.ok()) return text.status();
    auto writer = RecordWriter::Open(store_, id, scope.name);
    if (!writer.ok()) return writer.status();
    Status status;
    uint64_t line_count = 0;
    ForEachLine(*text, [&](size_t n, std::string_view line) {
      if (!status.ok() || line_count++ < skip) return;
      auto row = ParsePyJson(line, fmt::format("{} line {}", scope.rel, n));
      if (!row.ok()) {
        status = row.status();
        return;
      }
      for (const auto& [k, v] : row->members()) {
        if (k == "__timestamp") {
          if (auto t = ParseIso(v.text()); t.ok()) writer->SetTimestamp(*t);
        } else {
          writer->Set(k, RecordValueOf(v));
        }
      }
      status = writer->Save(/*force=*/true);
      if (status.ok()) ++report_.record_rows;
    });
    Status closed = writer->Close();
    return status.ok() ? closed : status;
  }

  Status WriteFile(const std::string& id, const std::string& src_rel, const std::string& path) {
    auto size = src_.Size(src_rel);
    if (!size.ok()) return size.status();
    if (*size <= kStreamAbove) {
      auto bytes = src_.Read(src_rel);
      if (!bytes.ok()) return bytes.status();
      LABSTORE_RETURN_IF_ERROR(SaveFile(store_, id, path, *bytes));
    } else {
      auto fd = src_.OpenFile(src_rel);
      if (!fd.ok()) return fd.status();
      auto w = FileWriter::Open(store_, id, path);
      if (!w.ok()) {
        ::close(*fd);
        return w.status();
      }
      std::string buf(1 << 20, '\0');
      Status s;
      while (s.ok()) {
        ssize_t n = ::read(*fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) s = Status::IOError(fmt::format("cannot read {}/{}", src_.path(), src_rel));
        if (n <= 0) break;
        s = w->Append(std::string_view(buf.data(), static_cast<size_t>(n)));
      }
      ::close(*fd);
      LABSTORE_RETURN_IF_ERROR(s);
      LABSTORE_RETURN_IF_ERROR(w->Close());
    }
    ++report_.files;
    return Status::OK();
  }

  // Warns where export will not reproduce the source's bytes.
  void CheckFidelity(const SourceExperiment& se, const Plan& plan, Problems* p) {
    auto e = store_.Find(se.id);
    if (!e.ok()) return;
    auto model = ModelOf(*e);
    if (!model.ok()) return;
    std::map<std::string, std::string> ours = {{"experiment.json", ExperimentJson(*e, *model)},
                                               {"project.json", ProjectJson(*e)},
                                               {"group.json", GroupJson(*e)},
                                               {"uses.json", UsesJson(*model)}};
    if (!plan.started.empty()) ours["started_at"] = StartedAtFile(plan.started);
    if (plan.heartbeat) ours["heartbeat_at"] = InstantFile(*plan.heartbeat);
    if (plan.finished) ours["finished_at"] = InstantFile(*plan.finished);
    for (const auto& [name, original] : plan.originals) {
      auto it = ours.find(name);
      if (it == ours.end() || it->second == original) continue;
      size_t at = 0;
      while (at < original.size() && at < it->second.size() && original[at] == it->second[at]) ++at;
      p->Warn(se.folder + "/" + name,
              fmt::format("will be exported differently from byte {} on: \"{}\" instead of \"{}\"", at,
                          it->second.substr(at, 40), original.substr(at, 40)));
    }
  }

  // ---- executions -----------------------------------------------------------

  void ImportExecution(const Source& source, const SourceExecution& x) {
    Problems p{"", &report_.problems};
    std::string where = x.storage_folder.empty() ? x.folder_name : x.storage_folder + "/" + x.folder_name;
    if (!x.problem.empty()) {
      p.Fail(where, x.problem);
      return;
    }
    std::vector<std::string> members;
    for (const std::string& m : x.members) {
      if (present_.count(m)) {
        members.push_back(m);
      } else {
        p.Warn(where, fmt::format("member {} was not imported: left out of the execution", m));
      }
    }
    if (members.empty()) {
      p.Fail(where, "none of its members was imported");
      return;
    }
    // execution.json: in the storage folder, else in any member's.
    std::optional<PyJson> model = ReadJson(where + "/execution.json", &p, false);
    if (!model) {
      for (const SourceExperiment& se : source.experiments) {
        if (std::find(members.begin(), members.end(), se.id) == members.end()) continue;
        model = ReadJson(se.folder + "/" + x.folder_name + "/execution.json", &p, true);
        if (model) break;
      }
    }
    if (!model || !model->is_object()) {
      p.Fail(where + "/execution.json", "missing or not a JSON object");
      return;
    }
    ExecutionSpec spec;
    spec.members = members;
    const PyJson* module = model->Find("module");
    if (module != nullptr && module->is_string()) spec.module = module->text();
    struct Field {
      const char* key;
      std::string* out;
      bool list;  // must be a JSON array (of strings for lineage)
    };
    for (const Field& f : {Field{"version", &spec.version, true}, Field{"config", &spec.config, false},
                           Field{"predicate", &spec.predicate, false}, Field{"lineage", &spec.lineage, true},
                           Field{"resources", &spec.requested_resources, false}}) {
      const PyJson* v = model->Find(f.key);
      bool fits = v != nullptr && (!f.list || (std::string_view(f.key) == "lineage" ? IsStringList(*v) : v->is_array()));
      if (fits) {
        *f.out = DumpPyJson(*v, PyDialect::kFile);
      } else {
        p.Warn(where + "/execution.json", fmt::format("\"{}\" is missing{}: machinable's default is stored", f.key,
                                                      f.list ? " or not a list" : ""));
      }
    }
    const PyJson* host = model->Find("host_info");
    if (host != nullptr && host->is_object()) {
      spec.host_info = DumpPyJson(*host, PyDialect::kFile);
    } else {
      p.Warn(where + "/execution.json", "\"host_info\" is not an object: imported as {}");
    }
    const PyJson* nickname = model->Find("nickname");
    if (nickname != nullptr && nickname->is_string()) spec.nickname = nickname->text();
    const PyJson* ts = model->Find("timestamp");
    if (ts == nullptr || !ts->AsDouble()) {
      p.Fail(where + "/execution.json", "\"timestamp\" is missing or not a number");
      return;
    }
    spec.timestamp = *ts->AsDouble();
    std::optional<std::string> env;
    if (auto files = src_.List(where); files.ok()) {
      for (const DirEntry& f : *files) {
        std::string rel = where + "/" + f.name;
        if (f.name.starts_with("resources-") && f.name.ends_with(".json")) {
          std::string member = f.name.substr(10, f.name.size() - 15);
          auto r = ReadJson(rel, &p, true);
          if (!r || !r->is_object()) continue;
          if (std::find(members.begin(), members.end(), member) == members.end()) {
            p.Warn(rel, fmt::format("{} is not an imported member: resources not imported", member));
            continue;
          }
          spec.resources.emplace_back(member, DumpPyJson(*r, PyDialect::kFile));
        } else if (f.name == "env.json") {
          auto r = ReadJson(rel, &p, true);
          if (r && r->is_object()) env = DumpPyJson(*r, PyDialect::kFile);
        }
      }
    }
    // Already imported (same first member, nickname and timestamp)? Its env
    // is set now if a killed import stored the execution but not the env.
    if (auto existing = store_.Executions(members.front()); existing.ok()) {
      for (const Execution& e : *existing) {
        if (e.nickname == spec.nickname && e.timestamp == *spec.timestamp) {
          if (env && e.env.empty()) {
            if (Status s = store_.SetExecutionEnv(e.number, members.back(), *env); !s.ok()) p.Fail(where, s.message());
          }
          ++report_.executions_skipped;
          return;
        }
      }
    }
    auto created = store_.CreateExecution(spec);
    if (!created.ok()) {
      p.Fail(where, created.status().message());
      return;
    }
    if (env) {
      if (Status s = store_.SetExecutionEnv(created->number, members.back(), *env); !s.ok()) p.Fail(where, s.message());
    }
    ++report_.executions;
  }

  Store& store_;
  const SafeDir& src_;
  ImportReport& report_;
  const ImportOptions& options_;
  std::set<std::string> present_;  // in the store now (imported or there before)
  std::set<std::string> failed_;
};

}  // namespace

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
