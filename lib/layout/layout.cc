#include "layout/layout.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

bool EndsWithUnderscore(std::string_view key) { return !key.empty() && key.back() == '_'; }

bool IsIntrospectionKey(std::string_view key) { return key == "_raw_" || key == "_version_" || key == "_update_"; }

// element.py _filter_enderscores: drops keys ending in '_' from objects,
// recursively through objects (not through arrays).
PyJson FilterEnderscores(const PyJson& v) {
  if (!v.is_object()) return v;
  std::vector<PyJson::Member> members;
  for (const auto& [k, child] : v.members()) {
    if (!EndsWithUnderscore(k)) members.emplace_back(k, FilterEnderscores(child));
  }
  return PyJson::Object(std::move(members));
}

bool IsEmptyVersionItem(const PyJson& v) { return v.is_null() || (v.is_object() && v.members().empty()); }

// element.py idversion: drops strings ending in '_', filters objects, then
// normversion drops None and {}.
PyJson IdVersion(const PyJson& version) {
  std::vector<PyJson> items;
  if (!version.is_array()) return PyJson::Array();
  for (const PyJson& item : version.items()) {
    if (IsEmptyVersionItem(item)) continue;
    if (item.is_string() && EndsWithUnderscore(item.text())) continue;
    PyJson filtered = FilterEnderscores(item);
    if (IsEmptyVersionItem(filtered)) continue;
    items.push_back(std::move(filtered));
  }
  return PyJson::Array(std::move(items));
}

// machinable.utils.update_dict: recursive merge of `update` into `base`.
void UpdateDict(PyJson* base, const PyJson& update) {
  for (const auto& [k, v] : update.members()) {
    if (v.is_object()) {
      const PyJson* existing = base->Find(k);
      PyJson merged = existing != nullptr && existing->is_object() ? *existing : PyJson::Object();
      UpdateDict(&merged, v);
      base->Set(k, std::move(merged));
    } else {
      base->Set(k, v);
    }
  }
}

std::string Dump(const PyJson& v) { return DumpPyJson(v, PyDialect::kFile); }

void AppendKey(std::string* out, std::string_view key, bool first) {
  if (!first) out->append(", ");
  AppendPyString(out, key, false);
  out->append(": ");
}

// {"module": <module>, "version": [], "config": null, "predicate": null, "lineage": ["machinable.element"]
// — the head of every element model but the experiment's.
std::string ElementHead(std::string_view module_json) {
  return fmt::format(
      R"({{"module": {}, "version": [], "config": null, "predicate": null, "lineage": ["machinable.element"])",
      module_json);
}

std::string QuoteFile(std::string_view s) {
  std::string out;
  AppendPyString(&out, s, false);
  return out;
}

// A config made from C++ without a version: an object without machinable's
// introspection keys (machinable always writes them) and a version list that
// is empty.
bool IsVersionlessConfig(const PyJson& config, const PyJson& version) {
  if (!config.is_object() || config.members().empty()) return false;
  if (!version.is_array() || !version.items().empty()) return false;
  for (const auto& [k, v] : config.members()) {
    if (IsIntrospectionKey(k)) return false;
  }
  return true;
}

}  // namespace

PyJson DerivePredicate(const PyJson& config, const PyJson& version) {
  PyJson config_ = PyJson::Object();
  for (const auto& [k, v] : config.members()) {
    if (!IsIntrospectionKey(k)) config_.members().emplace_back(k, v);
  }
  PyJson update;
  if (const PyJson* u = config.Find("_update_"); u != nullptr && u->is_object()) {
    update = *u;
  } else {
    update = PyJson::Object();
    if (version.is_array()) {
      for (const PyJson& item : version.items()) {
        if (item.is_object()) UpdateDict(&update, item);
      }
    }
  }
  const PyJson* v = config.Find("_version_");
  PyJson version_ = v != nullptr && v->is_array() ? *v : (version.is_array() ? version : PyJson::Array());
  PyJson p = PyJson::Object();
  p.members().emplace_back("config_update", FilterEnderscores(update));
  p.members().emplace_back("config_update_", std::move(update));
  p.members().emplace_back("config", FilterEnderscores(config_));
  p.members().emplace_back("config_", std::move(config_));
  p.members().emplace_back("version", IdVersion(version_));
  p.members().emplace_back("version_", std::move(version_));
  return p;
}

Result<ExperimentModel> ModelOf(const Experiment& e) {
  ExperimentModel m;
  auto parse = [&](const std::string& text, std::string_view what, PyJson* out) -> Status {
    auto v = ParsePyJson(text, fmt::format("the {} of experiment {}", what, e.id));
    if (!v.ok()) return v.status();
    *out = std::move(*v);
    return Status::OK();
  };
  LABSTORE_RETURN_IF_ERROR(parse(e.config, "config", &m.config));
  LABSTORE_RETURN_IF_ERROR(parse(e.version.empty() ? "[]" : e.version, "version", &m.version));
  LABSTORE_RETURN_IF_ERROR(parse(e.uses.empty() ? "[]" : e.uses, "uses", &m.uses));
  LABSTORE_RETURN_IF_ERROR(parse(e.lineage.empty() ? kDefaultLineage : e.lineage, "lineage", &m.lineage));
  if (IsVersionlessConfig(m.config, m.version)) {
    // As machinable writes Experiment.get(module, config): the config is the
    // one version entry and the update; _raw_ (the module's defaults, which
    // labstore cannot know) is the config itself.
    PyJson given = m.config;
    m.version = PyJson::Array({given});
    m.config.Set("_raw_", given);
    m.config.Set("_version_", m.version);
    m.config.Set("_update_", given);
  }
  if (e.predicate.empty()) {
    m.predicate = DerivePredicate(m.config, m.version);
  } else {
    LABSTORE_RETURN_IF_ERROR(parse(e.predicate, "predicate", &m.predicate));
  }
  return m;
}

std::string ExperimentJson(const Experiment& e, const ExperimentModel& m) {
  std::string out = "{";
  AppendKey(&out, "module", true);
  AppendPyString(&out, e.module, false);
  AppendKey(&out, "version", false);
  AppendPyJson(&out, m.version, PyDialect::kFile);
  AppendKey(&out, "config", false);
  AppendPyJson(&out, m.config, PyDialect::kFile);
  AppendKey(&out, "predicate", false);
  AppendPyJson(&out, m.predicate, PyDialect::kFile);
  AppendKey(&out, "lineage", false);
  AppendPyJson(&out, m.lineage, PyDialect::kFile);
  AppendKey(&out, "experiment_id", false);
  AppendPyString(&out, e.id, false);
  AppendKey(&out, "timestamp", false);
  AppendPyInt(&out, e.timestamp);
  AppendKey(&out, "seed", false);
  AppendPyInt(&out, e.seed);
  AppendKey(&out, "derived_from_id", false);
  if (e.ancestor.empty()) {
    out.append("null");
  } else {
    AppendPyString(&out, e.ancestor, false);
  }
  AppendKey(&out, "derived_from_timestamp", false);
  if (e.ancestor.empty()) {
    out.append("null");
  } else {
    AppendPyInt(&out, e.ancestor_timestamp);
  }
  out.push_back('}');
  return out;
}

std::string ProjectJson(const Experiment& e) {
  return ElementHead("null") +
         fmt::format(R"(, "directory": {}, "name": {}, "code_version": null, "code_diff": null, "host_info": null}})",
                     QuoteFile(e.project_directory), QuoteFile(e.project));
}

std::string GroupJson(const Experiment& e) {
  return ElementHead(R"("machinable.group")") +
         fmt::format(R"(, "pattern": {}, "path": {}}})", QuoteFile(e.group_pattern), QuoteFile(e.group_path));
}

std::string UsesJson(const ExperimentModel& m) { return Dump(m.uses); }

std::string StartedAtFile(const std::vector<Timestamp>& starts) {
  std::string out;
  for (const Timestamp& t : starts) {
    out += FormatIso(t);
    out.push_back('\n');
  }
  return out;
}

std::string InstantFile(Timestamp t) { return FormatIso(t); }

std::string ExecutionFolder(double timestamp) {
  // Python: modf, scale, round half-even (the default rounding mode of nearbyint).
  double seconds = 0;
  double fraction = std::modf(timestamp, &seconds);
  double micros = std::nearbyint(fraction * 1e6);
  if (micros >= 1e6) {
    micros -= 1e6;
    seconds += 1;
  } else if (micros < 0) {
    micros += 1e6;
    seconds -= 1;
  }
  time_t tt = static_cast<time_t>(seconds);
  struct tm tm;
  gmtime_r(&tt, &tm);
  return fmt::format("execution-{:04}-{:02}-{:02}T{:02}{:02}{:02}_{:06}_0000", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int64_t>(micros));
}

Result<std::string> ExecutionJson(const Execution& x) {
  std::string out = "{";
  AppendKey(&out, "module", true);
  AppendPyString(&out, x.module, false);
  struct Field {
    const char* key;
    const std::string& text;
    const char* fallback;
  };
  for (const Field& f : {Field{"version", x.version, "[]"}, Field{"config", x.config, "null"},
                         Field{"predicate", x.predicate, "null"}, Field{"lineage", x.lineage, kDefaultExecutionLineage},
                         Field{"resources", x.requested_resources, "null"},
                         Field{"host_info", x.host_info, "{}"}}) {
    auto v = ParsePyJson(f.text.empty() ? f.fallback : f.text, fmt::format("the {} of execution {}", f.key, x.number));
    if (!v.ok()) return v.status();
    AppendKey(&out, f.key, false);
    AppendPyJson(&out, *v, PyDialect::kFile);
  }
  AppendKey(&out, "nickname", false);
  AppendPyString(&out, x.nickname, false);
  AppendKey(&out, "timestamp", false);
  AppendPyFloat(&out, x.timestamp);
  out.push_back('}');
  return out;
}

}  // namespace labstore::internal
