// Each subcommand registers itself on the app; see the cmd_*.cc files.
#ifndef LABSTORE_TOOLS_COMMANDS_H_
#define LABSTORE_TOOLS_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "context.h"

namespace labstore::tool {

void RegisterLs(CLI::App& app, Context& ctx);
void RegisterShow(CLI::App& app, Context& ctx);
void RegisterDemo(CLI::App& app, Context& ctx);
void RegisterRecords(CLI::App& app, Context& ctx);
void RegisterExportCommands(CLI::App& app, Context& ctx);  // export, import, sqlite
void RegisterStoreCommands(CLI::App& app, Context& ctx);  // check, stats, gc
void RegisterRm(CLI::App& app, Context& ctx);
void RegisterBench(CLI::App& app, Context& ctx);
void RegisterGet(CLI::App& app, Context& ctx);
void RegisterCat(CLI::App& app, Context& ctx);
void RegisterDiff(CLI::App& app, Context& ctx);

// What `show ID` prints (also `get`); --json as there.
void ShowExperiment(const Context& ctx, const std::string& id, bool json);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_COMMANDS_H_
