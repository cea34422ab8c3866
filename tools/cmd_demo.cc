// labstore demo — the main job (a first version: experiments only).
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "format.h"

namespace labstore::tool {
namespace {

void RunDemo(const Context& ctx) {
  Store store = ctx.OpenWriter();
  const double dilations[] = {0.5, 1.0, 2.0, 3.0, 4.0};
  int created = 0, found = 0;
  for (double d : dilations) {
    std::string config = fmt::format(R"({{"time_dilation": {:.1f}, "verbose": true}})", d);
    Experiment e = Check(store.Get("estimate_gravity", config));
    if (e.stored) {
      ++found;
      continue;
    }
    Check(store.Commit(e));
    Check(store.MarkStarted(e.id));
    Check(store.MarkFinished(e.id));
    ++created;
  }
  std::printf("demo: %d experiments created, %d found already stored in %s\n\n", created, found, store.dir().c_str());
  Table table({"ID", "MODULE", "CONFIG"});
  for (const Experiment& e : Check(store.List({.module = "estimate_gravity"}))) table.Add({e.id, e.module, e.config});
  std::fputs(table.Render().c_str(), stdout);
}

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand("demo", "The main job: run the estimate_gravity sweep and export it");
  cmd->footer("Example:\n  labstore demo            # writes ./storage.labstore\n");
  cmd->callback([&ctx] { RunDemo(ctx); });
}

}  // namespace labstore::tool
