// The walk of an experiment folder (pass 1 of lib/import/import.cc): markers,
// output.log, the lines of records/<scope>.jsonl, and the paths of all other
// files, each checked; the model files and execution folders are read elsewhere.
#include <string>
#include <unordered_set>

#include <fmt/format.h>

#include "data/path.h"
#include "import/importer.h"
#include "import/record_line.h"
#include "labstore/time.h"
#include "layout/names.h"
#include "record/scope.h"

namespace labstore::internal {
namespace {

constexpr size_t kMaxLineProblems = 5;  // per records file

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

// Column and scope names, as labstore/record.h states them; "" when valid.
std::string RecordNameProblem(std::string_view what, std::string_view name) {
  Status s = ValidateRecordName(what, name);
  return s.ok() ? std::string() : s.message();
}

}  // namespace

void Importer::ReadMarker(const std::string& rel, const std::string& name, ImportPlan* plan, Problems* p) {
  auto text = src_.Read(rel);
  if (!text.ok()) {
    p->Fail(rel, text.status().message());
    return;
  }
  plan->originals[name] = *text;
  if (name == kStartedAt) {
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
  (name == kHeartbeatAt ? plan->heartbeat : plan->finished) = *t;
}

void Importer::CheckRecords(const std::string& rel, ScopeFile* scope, Problems* p) {
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

void Importer::CollectFiles(const std::string& base, const std::string& dir, ImportPlan* plan, Problems* p) {
  std::string at = dir.empty() ? base : base + "/" + dir;
  auto entries = src_.List(at);
  if (!entries.ok()) {
    p->Fail(at, entries.status().message());
    return;
  }
  for (const DirEntry& e : *entries) {
    std::string rel = dir.empty() ? e.name : dir + "/" + e.name;
    if (e.name.starts_with(kTempPrefix)) continue;  // an export's temporary
    if (dir.empty() && (e.name == kExperimentJson || e.name == kProjectJson || e.name == kGroupJson ||
                        e.name == kUsesJson || e.name == kDerivedFolder || e.name.starts_with(kExecutionPrefix))) {
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
        } else if (dir.empty() && e.name == kOutputLog) {
          auto text = src_.Read(base + "/" + rel);
          if (!text.ok()) {
            p->Fail(base + "/" + rel, text.status().message());
          } else {
            plan->output = std::move(*text);
          }
        } else if (dir == kRecordsFolder) {
          if (!e.name.ends_with(kRecordsSuffix) || e.name.size() == kRecordsSuffix.size()) {
            p->Warn(base + "/" + rel, "not a records file (records/<scope>.jsonl): not imported");
            break;
          }
          ScopeFile scope{e.name.substr(0, e.name.size() - kRecordsSuffix.size()), base + "/" + rel};
          if (auto why = RecordNameProblem("scope", scope.name); !why.empty()) {
            p->Fail(base + "/" + rel, why);
            break;
          }
          CheckRecords(scope.rel, &scope, p);
          plan->scopes.push_back(std::move(scope));
        } else if (dir.starts_with(kRecordsFolder)) {
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

void Importer::ReadFolder(const SourceExperiment& se, ImportPlan* plan, Problems* p) {
  CollectFiles(se.folder, "", plan, p);
}

}  // namespace labstore::internal
