// labstore diff ID ID — how two experiments differ: module, config (keys
// added, removed and changed, nested keys dotted), status, scopes (rows per
// scope) and, per scope both have, the last row's value of every common
// column. Exit 0 whether or not they differ; "no differences" when none.
#include <cstdio>
#include <map>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "config_path.h"
#include "experiment_json.h"

namespace labstore::tool {
namespace {

// Leaves of a config: dotted path -> value (an empty object is a leaf).
void Flatten(const PyJson& v, const std::string& prefix, std::map<std::string, PyJson>* out) {
  if (v.is_object() && !v.members().empty()) {
    for (const auto& [key, value] : v.members()) Flatten(value, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    (*out)[prefix] = v;
  }
}

std::string Json(const PyJson& v) { return internal::DumpPyJson(v, internal::PyDialect::kFile); }

// Equal as --where's '=' has it: 2 equals 2.0.
bool Same(const PyJson& a, const PyJson& b) { return Satisfies(a, Condition{.key = {}, .value = b}); }

// Lines "  - key: a", "  + key: b", "  ~ key: a -> b" for two key maps.
std::string DiffMaps(const std::map<std::string, PyJson>& a, const std::map<std::string, PyJson>& b) {
  std::string out;
  for (const auto& [key, va] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      out += fmt::format("  - {}: {}\n", key, Json(va));
    } else if (!Same(va, it->second)) {
      out += fmt::format("  ~ {}: {} -> {}\n", key, Json(va), Json(it->second));
    }
  }
  for (const auto& [key, vb] : b) {
    if (!a.count(key)) out += fmt::format("  + {}: {}\n", key, Json(vb));
  }
  return out;
}

// The last row of a scope as column -> value.
std::map<std::string, PyJson> LastValues(const Store& store, const std::string& id, const std::string& scope) {
  std::map<std::string, PyJson> out;
  std::vector<Row> rows = Check(ReadRows(store, id, scope, {.start = -1}));
  if (!rows.empty()) {
    for (const auto& [column, value] : rows.back().cells) out[column] = ToPyJson(value);
  }
  return out;
}

void RunDiff(const Context& ctx, const std::string& id_a, const std::string& id_b) {
  Store store = ctx.OpenReader();
  Experiment a = Check(store.Find(id_a)), b = Check(store.Find(id_b));
  Timestamp now = Now();
  std::string out;
  if (a.module != b.module) out += fmt::format("module: {} -> {}\n", a.module, b.module);

  std::map<std::string, PyJson> ca, cb;
  KeyLookup lookup_a(store, a, "default"), lookup_b(store, b, "default");
  Flatten(lookup_a.config(), "", &ca);
  Flatten(lookup_b.config(), "", &cb);
  if (std::string lines = DiffMaps(ca, cb); !lines.empty()) out += "config\n" + lines;

  std::string sa = StatusWord(Check(store.GetStatus(a.id)), now), sb = StatusWord(Check(store.GetStatus(b.id)), now);
  if (sa != sb) out += fmt::format("status: {} -> {}\n", sa, sb);

  std::map<std::string, uint64_t> rows_a, rows_b;
  for (const ScopeInfo& s : Check(ListScopes(store, a.id))) rows_a[s.name] = s.rows;
  for (const ScopeInfo& s : Check(ListScopes(store, b.id))) rows_b[s.name] = s.rows;
  std::string scope_lines;
  for (const auto& [name, rows] : rows_a) {
    auto it = rows_b.find(name);
    if (it == rows_b.end()) {
      scope_lines += fmt::format("  - {}: {} rows\n", name, rows);
    } else if (it->second != rows) {
      scope_lines += fmt::format("  ~ {}: {} -> {} rows\n", name, rows, it->second);
    }
  }
  for (const auto& [name, rows] : rows_b) {
    if (!rows_a.count(name)) scope_lines += fmt::format("  + {}: {} rows\n", name, rows);
  }
  if (!scope_lines.empty()) out += "scopes\n" + scope_lines;

  for (const auto& [name, rows] : rows_a) {
    if (!rows_b.count(name)) continue;
    std::map<std::string, PyJson> la = LastValues(store, a.id, name), lb = LastValues(store, b.id, name);
    std::string lines;
    for (const auto& [column, va] : la) {
      auto it = lb.find(column);
      if (it != lb.end() && !Same(va, it->second)) {
        lines += fmt::format("  ~ {}: {} -> {}\n", column, Json(va), Json(it->second));
      }
    }
    if (!lines.empty()) out += fmt::format("last values, scope {}\n", name) + lines;
  }

  if (out.empty()) {
    std::printf("%s and %s: no differences in module, config, status, scopes or last values\n", a.id.c_str(),
                b.id.c_str());
  } else {
    std::printf("--- %s\n+++ %s\n%s", a.id.c_str(), b.id.c_str(), out.c_str());
  }
}

}  // namespace

void RegisterDiff(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<std::string>();
  auto b = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("diff", "Compare two experiments: config, status, scopes, last values");
  cmd->add_option("ID_A", *a, "First experiment id")->required();
  cmd->add_option("ID_B", *b, "Second experiment id")->required();
  cmd->footer("Example:\n  labstore diff rm3SAJ rm3SAK\n"
              "Lines: '- key: a' only in the first, '+ key: b' only in the second, '~ key: a -> b' changed.\n"
              "Last values: the last row of each scope both have, columns both have. Exit 0 either way.\n");
  cmd->callback([&ctx, a, b] { RunDiff(ctx, *a, *b); });
}

}  // namespace labstore::tool
