// labstore — the command. Thin over the library: parse, call, print, exit code.
//
// Exit codes: 0 ok, 1 failure, 2 usage. Errors are one line on stderr.
// Global options (--store) are accepted before or after the command.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <CLI/CLI.hpp>

#include "command_name.h"
#include "commands.h"
#include "context.h"

int main(int argc, char** argv) {
  using namespace labstore::tool;  // NOLINT
  Context ctx;
  const char* env_store = std::getenv("LABSTORE_STORE");
  ctx.store_dir = env_store && *env_store ? env_store : labstore::kDefaultStoreDir;

  CLI::App app{"labstore — storage for experiments, their records and data files"};
  app.name("labstore");
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  app.set_version_flag("--version", "labstore " LABSTORE_VERSION);
  // Subcommands (made after this) hand options they do not know to the app,
  // so `labstore ls --store X` works as well as `labstore --store X ls`.
  app.fallthrough();
  app.add_option("--store", ctx.store_dir, "Store directory (default ./storage.labstore, or $LABSTORE_STORE)");
  app.footer(
      "Examples:\n"
      "  labstore demo                  # the main job: simulate, log, export\n"
      "  labstore ls --module estimate_gravity\n"
      "  labstore show rm3SAJ\n"
      "Run 'labstore COMMAND --help' for a command's options and an example.");
  app.require_subcommand(1);
  RegisterLs(app, ctx);
  RegisterShow(app, ctx);
  RegisterDemo(app, ctx);
  RegisterRecords(app, ctx);
  RegisterExportCommands(app, ctx);
  RegisterStoreCommands(app, ctx);
  RegisterRm(app, ctx);
  RegisterBench(app, ctx);
  RegisterGet(app, ctx);
  RegisterCat(app, ctx);
  RegisterDiff(app, ctx);
  if (argc <= 1) {  // bare `labstore`: the usage, as a usage error
    std::fputs(app.help().c_str(), stdout);
    return kExitUsage;
  }
  if (auto word = FirstCommandWord(argc, argv, {"--store"})) {
    if (!IsCommand(*word, app)) {
      std::fprintf(stderr, "labstore: %s\nRun 'labstore --help' for usage.\n",
                   UnknownCommandMessage(*word, app).c_str());
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "labstore: %s\nRun 'labstore --help' for usage.\n", e.what());
    return kExitUsage;
  } catch (const CommandError& e) {
    std::fprintf(stderr, "labstore: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "labstore: %s\n", e.what());
    return kExitFailure;
  }
  return 0;
}
