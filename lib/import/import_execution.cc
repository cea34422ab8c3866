// Importer::ImportExecution (lib/import/importer.h): an execution folder
// (execution.json, resources-<id>.json, env.json) into Store::CreateExecution,
// once all experiments are in; members that were not imported are left out.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "import/importer.h"
#include "json/py_json.h"
#include "labstore/execution.h"
#include "labstore/store.h"
#include "layout/names.h"

namespace labstore::internal {

void Importer::ImportExecution(const Source& source, const SourceExecution& x) {
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
  std::optional<PyJson> model = ReadJson(where + "/" + kExecutionJson, &p, false);
  if (!model) {
    for (const SourceExperiment& se : source.experiments) {
      if (std::find(members.begin(), members.end(), se.id) == members.end()) continue;
      model = ReadJson(se.folder + "/" + x.folder_name + "/" + kExecutionJson, &p, true);
      if (model) break;
    }
  }
  if (!model || !model->is_object()) {
    p.Fail(where + "/" + kExecutionJson, "missing or not a JSON object");
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
      p.Warn(where + "/" + kExecutionJson, fmt::format("\"{}\" is missing{}: machinable's default is stored", f.key,
                                                    f.list ? " or not a list" : ""));
    }
  }
  const PyJson* host = model->Find("host_info");
  if (host != nullptr && host->is_object()) {
    spec.host_info = DumpPyJson(*host, PyDialect::kFile);
  } else {
    p.Warn(where + "/" + kExecutionJson, "\"host_info\" is not an object: imported as {}");
  }
  const PyJson* nickname = model->Find("nickname");
  if (nickname != nullptr && nickname->is_string()) spec.nickname = nickname->text();
  const PyJson* ts = model->Find("timestamp");
  if (ts == nullptr || !ts->AsDouble()) {
    p.Fail(where + "/" + kExecutionJson, "\"timestamp\" is missing or not a number");
    return;
  }
  spec.timestamp = *ts->AsDouble();
  std::optional<std::string> env;
  if (auto files = src_.List(where); files.ok()) {
    for (const DirEntry& f : *files) {
      std::string rel = where + "/" + f.name;
      if (f.name.starts_with(kResourcesPrefix) && f.name.ends_with(kResourcesSuffix)) {
        std::string member =
            f.name.substr(kResourcesPrefix.size(), f.name.size() - kResourcesPrefix.size() - kResourcesSuffix.size());
        auto r = ReadJson(rel, &p, true);
        if (!r || !r->is_object()) continue;
        if (std::find(members.begin(), members.end(), member) == members.end()) {
          p.Warn(rel, fmt::format("{} is not an imported member: resources not imported", member));
          continue;
        }
        spec.resources.emplace_back(member, DumpPyJson(*r, PyDialect::kFile));
      } else if (f.name == kEnvJson) {
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

}  // namespace labstore::internal
