// labstore ls — list experiments, newest first.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "config_path.h"
#include "experiment_json.h"
#include "format.h"

namespace labstore::tool {
namespace {

struct LsArgs {
  std::string module, group, project, status;
  size_t limit = 0;
  bool oldest_first = false;
  bool json = false;
  std::vector<std::string> where;    // KEY OP VALUE, all must hold
  std::vector<std::string> columns;  // keys shown as extra columns
  std::string scope = "default";     // the scope whose last row gives record values
};

// The --where conditions; a malformed one is a usage error naming the flag.
std::vector<Condition> ParseWhere(const std::vector<std::string>& texts) {
  std::vector<Condition> conditions;
  for (const std::string& t : texts) {
    std::string error;
    auto c = ParseCondition(t, &error);
    if (!c) throw CommandError("--where: " + error, kExitUsage);
    conditions.push_back(std::move(*c));
  }
  return conditions;
}

bool Matches(KeyLookup& lookup, const std::vector<Condition>& conditions) {
  for (const Condition& c : conditions) {
    std::optional<PyJson> v = lookup.Find(c.key);
    if (!v || !Satisfies(*v, c)) return false;  // lacking the key: no match
  }
  return true;
}

void RunLs(const Context& ctx, const LsArgs& a) {
  std::vector<Condition> conditions = ParseWhere(a.where);
  Store store = ctx.OpenReader();
  auto list = Check(store.List({.module = a.module, .group = a.group, .project = a.project,
                                .newest_first = !a.oldest_first}));
  Timestamp now = Now();
  std::vector<std::string> header = {"ID", "MODULE", "STATUS", "CREATED", "GROUP", "CONFIG"};
  header.insert(header.end(), a.columns.begin(), a.columns.end());
  Table table(header);
  std::string json = "[";
  size_t shown = 0;
  for (const Experiment& e : list) {
    ExperimentStatus st = Check(store.GetStatus(e.id));
    std::string word = StatusWord(st, now);
    if (!a.status.empty() && word != (a.status == "active" ? "running" : a.status)) continue;
    KeyLookup lookup(store, e, a.scope);
    if (!Matches(lookup, conditions)) continue;
    if (a.limit && shown >= a.limit) break;
    ++shown;
    std::vector<std::optional<PyJson>> values;
    for (const std::string& key : a.columns) values.push_back(lookup.Find(key));
    if (a.json) {
      std::string obj = ExperimentJson(e, st, now);
      if (!a.columns.empty()) {
        std::string extra = ", \"values\": {";
        for (size_t i = 0; i < values.size(); ++i) {
          extra += fmt::format("{}{}: {}", i ? ", " : "", JsonString(a.columns[i]),
                               values[i] ? internal::DumpPyJson(*values[i], internal::PyDialect::kFile) : "null");
        }
        obj.insert(obj.size() - 1, extra + "}");
      }
      json += (shown > 1 ? ",\n " : "") + obj;
    } else {
      std::string config = e.config.size() > 48 ? e.config.substr(0, 45) + "..." : e.config;
      std::vector<std::string> row = {e.id, e.module, word, Ago(e.timestamp * 1000000, now.unix_micros), e.group_path,
                                      config};
      for (const auto& v : values) row.push_back(v ? CellText(*v) : "-");
      table.Add(std::move(row));
    }
  }
  if (a.json) {
    std::printf("%s]\n", json.c_str());
  } else if (table.empty()) {
    std::printf("no experiments in %s%s\n", store.dir().c_str(),
                a.module.empty() && a.group.empty() && a.project.empty() && a.status.empty() && a.where.empty()
                    ? ""
                    : " match");
  } else {
    std::fputs(table.Render().c_str(), stdout);
  }
}

}  // namespace

void RegisterLs(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<LsArgs>();
  CLI::App* cmd = app.add_subcommand("ls", "List experiments, newest first");
  cmd->add_option("--module", args->module, "Only this module");
  cmd->add_option("--group", args->group, "Only this resolved group path, e.g. 2026_47_Thu/");
  cmd->add_option("--project", args->project, "Only this project name");
  cmd->add_option("--status", args->status,
                  "Only this status: created, running (heartbeat within 45 s), incomplete (started, not finished, "
                  "no heartbeat for 45 s: it died), finished; 'active' is 'running'")
      ->check(CLI::IsMember({"created", "started", "running", "active", "incomplete", "finished"}));
  cmd->add_option("--limit", args->limit, "Show at most N experiments");
  cmd->add_flag("--oldest-first", args->oldest_first, "Oldest first instead");
  cmd->add_flag("--json", args->json, "JSON output with exact timestamps");
  cmd->add_option("--where", args->where,
                  "Only experiments where KEY OP VALUE holds (repeatable: all must hold). KEY: a config key "
                  "(dotted for nested: optim.lr), else a record column's value in the last row of --scope. "
                  "OP: = != < <= > >=; numbers compare as numbers (2 = 2.0), text as text; true, false, null as "
                  "JSON. An experiment without the key does not match")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--columns", args->columns,
                  "Add a column per key (comma-separated), resolved as for --where; '-' where absent. "
                  "With --json: a \"values\" object")
      ->delimiter(',');
  cmd->add_option("--scope", args->scope, "The scope whose last row --where and --columns read (default \"default\")");
  cmd->footer("Example:\n  labstore ls --module estimate_gravity --status finished --limit 10\n"
              "  labstore ls --where time_dilation=2.0 --where 'loss<0.1' --columns time_dilation,loss\n");
  cmd->callback([&ctx, args] { RunLs(ctx, *args); });
}

}  // namespace labstore::tool
