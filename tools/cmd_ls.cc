// labstore ls — list experiments, newest first.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "experiment_json.h"
#include "format.h"

namespace labstore::tool {
namespace {

struct LsArgs {
  std::string module, group, project, status;
  size_t limit = 0;
  bool oldest_first = false;
  bool json = false;
};

void RunLs(const Context& ctx, const LsArgs& a) {
  Store store = ctx.OpenReader();
  auto list = Check(store.List({.module = a.module, .group = a.group, .project = a.project,
                                .newest_first = !a.oldest_first}));
  Timestamp now = Now();
  Table table({"ID", "MODULE", "STATUS", "CREATED", "GROUP", "CONFIG"});
  std::string json = "[";
  size_t shown = 0;
  for (const Experiment& e : list) {
    ExperimentStatus st = Check(store.GetStatus(e.id));
    std::string word = StatusWord(st, now);
    if (!a.status.empty() && word != (a.status == "active" ? "running" : a.status)) continue;
    if (a.limit && shown >= a.limit) break;
    ++shown;
    if (a.json) {
      json += (shown > 1 ? ",\n " : "") + ExperimentJson(e, st, now);
    } else {
      std::string config = e.config.size() > 48 ? e.config.substr(0, 45) + "..." : e.config;
      table.Add({e.id, e.module, word, Ago(e.timestamp * 1000000, now.unix_micros), e.group_path, config});
    }
  }
  if (a.json) {
    std::printf("%s]\n", json.c_str());
  } else if (table.empty()) {
    std::printf("no experiments in %s%s\n", store.dir().c_str(), a.module.empty() ? "" : " match");
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
  cmd->footer("Example:\n  labstore ls --module estimate_gravity --status finished --limit 10\n");
  cmd->callback([&ctx, args] { RunLs(ctx, *args); });
}

}  // namespace labstore::tool
