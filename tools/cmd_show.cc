// labstore show ID — one experiment: metadata, status, executions, derived.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "experiment_json.h"
#include "format.h"

namespace labstore::tool {
namespace {

void RunShow(const Context& ctx, const std::string& id, bool json) {
  Store store = ctx.OpenReader();
  Experiment e = Check(store.Find(id));
  ExperimentStatus st = Check(store.GetStatus(id));
  std::vector<Execution> executions = Check(store.Executions(id));
  std::vector<Experiment> derived = Check(store.Derived(id));
  Timestamp now = Now();
  if (json) {
    std::printf("%s\n", ExperimentJson(e, st, now).c_str());
    return;
  }
  auto when = [&](const std::optional<Timestamp>& t) {
    return t ? fmt::format("{} ({})", Ago(t->unix_micros, now.unix_micros), FormatIso(*t)) : std::string("-");
  };
  std::printf("experiment %s\n", e.id.c_str());
  std::printf("  module    %s\n", e.module.c_str());
  std::printf("  config    %s\n", e.config.c_str());
  std::printf("  version   %s\n", e.version.c_str());
  std::printf("  seed      %d\n", e.seed);
  std::printf("  created   %s\n", Ago(e.timestamp * 1000000, now.unix_micros).c_str());
  std::printf("  group     %s (%s)\n", e.group_path.c_str(), e.group_pattern.c_str());
  std::printf("  project   %s (%s)\n", e.project.c_str(), e.project_directory.c_str());
  if (!e.ancestor.empty()) std::printf("  ancestor  %s\n", e.ancestor.c_str());
  std::printf("status %s\n", StatusWord(st, now).c_str());
  std::printf("  started   %s%s\n", when(st.started_at.empty() ? std::nullopt : std::optional(st.started_at.back())).c_str(),
              st.started_at.size() > 1 ? fmt::format(", {} starts", st.started_at.size()).c_str() : "");
  std::printf("  heartbeat %s\n", when(st.heartbeat_at).c_str());
  std::printf("  finished  %s\n", when(st.finished_at).c_str());
  if (!executions.empty()) {
    std::printf("executions\n");
    for (const auto& x : executions) {
      std::printf("  %llu %s, %zu member%s\n", static_cast<unsigned long long>(x.number), x.nickname.c_str(),
                  x.members.size(), x.members.size() == 1 ? "" : "s");
    }
  }
  if (!derived.empty()) {
    std::printf("derived\n");
    for (const auto& d : derived) std::printf("  %s %s\n", d.id.c_str(), d.config.c_str());
  }
}

}  // namespace

void RegisterShow(CLI::App& app, Context& ctx) {
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("show", "Show one experiment: metadata, status, scopes, files");
  cmd->add_option("ID", *id, "Experiment id (6 characters)")->required();
  cmd->add_flag("--json", *json, "JSON output with exact timestamps");
  cmd->footer("Example:\n  labstore show rm3SAJ\n");
  cmd->callback([&ctx, id, json] { RunShow(ctx, *id, *json); });
}

}  // namespace labstore::tool
