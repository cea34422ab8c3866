// Importer::Read (lib/import/importer.h): an experiment folder's experiment.json
// and the other model files (uses.json, group.json, project.json, or the rows
// of storage.sqlite) made into the ExperimentSpec that Store::Make checks.
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "import/importer.h"
#include "json/py_json.h"
#include "layout/names.h"

namespace labstore::internal {

std::optional<PyJson> Importer::ModelField(const SourceExperiment& se, std::string_view key) {
  auto text = src_.Read(se.folder + "/" + kExperimentJson);
  if (!text.ok()) return std::nullopt;
  auto m = ParsePyJson(*text, kExperimentJson);
  if (!m.ok() || !m->is_object() || m->Find(key) == nullptr) return std::nullopt;
  return *m->Find(key);
}

int64_t Importer::TimestampOf(const SourceExperiment& se) {
  auto ts = ModelField(se, "timestamp");
  return ts && ts->AsInt64() ? *ts->AsInt64() : 0;
}

std::string Importer::DerivedFrom(const SourceExperiment& se) {
  auto from = ModelField(se, "derived_from_id");
  return from && from->is_string() ? from->text() : se.ancestor;
}

void Importer::Read(const SourceExperiment& se, ImportPlan* plan, Problems* p) {
  const std::string& f = se.folder;
  ExperimentSpec& spec = plan->spec;
  spec.id = se.id;
  auto model = ReadJson(f + "/" + kExperimentJson, p, true);
  if (model && !model->is_object()) {
    p->Fail(f + "/" + kExperimentJson, "not a JSON object");
    model.reset();
  }
  if (model) {
    const std::string rel = f + "/" + kExperimentJson;
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
  if (auto uses = ReadJson(f + "/" + kUsesJson, p, false)) {
    if (!uses->is_array()) {
      p->Fail(f + "/" + kUsesJson, "not a JSON list");
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
  } else if (auto g = ReadJson(f + "/" + kGroupJson, p, false)) {
    const PyJson* pattern = g->is_object() ? g->Find("pattern") : nullptr;
    const PyJson* path = g->is_object() ? g->Find("path") : nullptr;
    if (pattern == nullptr || !pattern->is_string() || path == nullptr || !path->is_string()) {
      p->Fail(f + "/" + kGroupJson, "\"pattern\" and \"path\" must be strings");
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
  } else if (auto pr = ReadJson(f + "/" + kProjectJson, p, false)) {
    const PyJson* name = pr->is_object() ? pr->Find("name") : nullptr;
    const PyJson* dir = pr->is_object() ? pr->Find("directory") : nullptr;
    if (name == nullptr || !name->is_string()) {
      p->Fail(f + "/" + kProjectJson, "\"name\" must be a string");
    } else {
      spec.project = name->text();
      if (dir != nullptr && dir->is_string()) spec.project_directory = dir->text();
    }
  }
  for (const char* name : kModelFiles) {
    if (auto text = src_.Read(f + "/" + name); text.ok()) plan->originals[name] = std::move(*text);
  }
  ReadFolder(se, plan, p);
}

}  // namespace labstore::internal
