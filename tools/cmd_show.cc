// labstore show ID — one experiment: metadata, status, executions, derived.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "experiment_json.h"
#include "format.h"
#include "labstore/data.h"
#include "labstore/record_reader.h"

namespace labstore::tool {

void ShowExperiment(const Context& ctx, const std::string& id, bool json) {
  Store store = ctx.OpenReader();
  Experiment e = Check(store.Find(id));
  ExperimentStatus st = Check(store.GetStatus(id));
  std::vector<Execution> executions = Check(store.Executions(id));
  std::vector<Experiment> derived = Check(store.Derived(id));
  Timestamp now = Now();
  if (json) {
    std::string extra = ", \"scopes\": [";
    auto scopes = Check(ListScopes(store, id));
    for (size_t i = 0; i < scopes.size(); ++i) {
      extra += fmt::format("{}{{\"name\": {}, \"rows\": {}, \"bytes\": {}}}", i ? ", " : "", JsonString(scopes[i].name),
                           scopes[i].rows, scopes[i].bytes);
    }
    extra += "], \"files\": [";
    auto files = Check(ListFiles(store, id));
    for (size_t i = 0; i < files.size(); ++i) {
      extra +=
          fmt::format("{}{{\"path\": {}, \"size\": {}, \"format\": \"{}\", \"content_hash\": \"{}\"}}", i ? ", " : "",
                      JsonString(files[i].path), files[i].size, DataFormatName(files[i].format), files[i].content_hash);
    }
    std::string obj = ExperimentJson(e, st, now);
    obj.insert(obj.size() - 1, extra + "]");
    std::printf("%s\n", obj.c_str());
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
  std::printf("  started   %s%s\n",
              when(st.started_at.empty() ? std::nullopt : std::optional(st.started_at.back())).c_str(),
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
  std::vector<ScopeInfo> scopes = Check(ListScopes(store, id));
  if (!scopes.empty()) {
    std::printf("records\n");
    Table t({"SCOPE", "ROWS", "COLUMNS", "STORED"}, {false, true, true, true});
    for (const auto& sc : scopes)
      t.Add({sc.name, std::to_string(sc.rows), std::to_string(sc.columns.size()), Bytes(sc.bytes)});
    std::string text = t.Render();
    for (size_t pos = 0, next; pos < text.size(); pos = next + 1) {
      next = text.find('\n', pos);
      std::printf("  %s\n", text.substr(pos, next - pos).c_str());
    }
  }
  std::vector<FileInfo> files = Check(ListFiles(store, id));
  if (!files.empty()) {
    std::printf("files\n");
    for (const auto& f : files) {
      std::printf("  %s  %s, %s\n", f.path.c_str(), Bytes(f.size).c_str(), DataFormatName(f.format));
    }
  }
  if (!derived.empty()) {
    std::printf("derived\n");
    for (const auto& d : derived) std::printf("  %s %s\n", d.id.c_str(), d.config.c_str());
  }
}

void RegisterShow(CLI::App& app, Context& ctx) {
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("show", "Show one experiment: metadata, status, scopes, files");
  cmd->add_option("ID", *id, "Experiment id (6 characters)")->required();
  cmd->add_flag("--json", *json, "JSON output with exact timestamps");
  cmd->footer("Example:\n  labstore show rm3SAJ\n");
  cmd->callback([&ctx, id, json] { ShowExperiment(ctx, *id, *json); });
}

}  // namespace labstore::tool
