// labstore get MODULE CONFIG — the stored experiment of a config, found by
// content hash (key order, spacing and 2 vs 2.0 do not matter), shown as
// `show` shows it.
//
// Exit codes: 0 found; 1 when no experiment of that definition is stored, or
// when CONFIG is not a JSON object (the library's InvalidArgument message:
// the arguments parsed, their content was refused, as for any stored value).
#include <fmt/format.h>

#include "commands.h"

namespace labstore::tool {
namespace {

struct GetArgs {
  std::string module, config = "{}";
  bool json = false;
};

void RunGet(const Context& ctx, const GetArgs& a) {
  std::string id;
  {
    Store store = ctx.OpenReader();
    Experiment e = Check(store.Get(a.module, a.config));
    if (!e.stored) {
      throw CommandError(fmt::format("no stored experiment of module {} with config {}", a.module, a.config),
                         kExitFailure);
    }
    id = e.id;
  }
  ShowExperiment(ctx, id, a.json);
}

}  // namespace

void RegisterGet(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<GetArgs>();
  CLI::App* cmd = app.add_subcommand("get", "Show the stored experiment of a module and config (by content hash)");
  cmd->add_option("MODULE", args->module, "Module name")->required();
  cmd->add_option("CONFIG", args->config,
                  "Config as a JSON object (default {}); key order and 2 vs 2.0 do not matter");
  cmd->add_flag("--json", args->json, "JSON output with exact timestamps");
  cmd->footer("Example:\n  labstore get estimate_gravity '{\"time_dilation\": 2.0}'\n"
              "Exit 1 when no experiment of that module and config is stored.\n");
  cmd->callback([&ctx, args] { RunGet(ctx, *args); });
}

}  // namespace labstore::tool
