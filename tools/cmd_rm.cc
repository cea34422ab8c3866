// labstore rm — delete experiments with their records, files and markers.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "format.h"

namespace labstore::tool {
namespace {

struct RmArgs {
  std::vector<std::string> ids;
  bool derived = false;
  bool json = false;
};

void RunRm(const Context& ctx, const RmArgs& a) {
  Store store = ctx.OpenWriter();
  DeleteStats s = Check(store.DeleteMany(a.ids, {.derived = a.derived}));
  Check(store.Close());
  if (a.json) {
    std::string ids;
    for (size_t i = 0; i < s.experiments.size(); ++i) ids += (i ? ", " : "") + JsonString(s.experiments[i]);
    std::printf("{\"experiments\": [%s], \"scopes\": %llu, \"record_rows\": %llu, \"record_chunks\": %llu, "
                "\"record_bytes\": %llu, \"files\": %llu, \"file_bytes\": %llu, \"contents_removed\": %llu, "
                "\"content_bytes_removed\": %llu, \"executions_removed\": %llu, \"executions_changed\": %llu}\n",
                ids.c_str(), static_cast<unsigned long long>(s.scopes), static_cast<unsigned long long>(s.record_rows),
                static_cast<unsigned long long>(s.record_chunks), static_cast<unsigned long long>(s.record_bytes),
                static_cast<unsigned long long>(s.files), static_cast<unsigned long long>(s.file_bytes),
                static_cast<unsigned long long>(s.contents_removed),
                static_cast<unsigned long long>(s.content_bytes_removed),
                static_cast<unsigned long long>(s.executions_removed),
                static_cast<unsigned long long>(s.executions_changed));
    return;
  }
  std::printf("deleted %zu experiment%s: %s\n", s.experiments.size(), s.experiments.size() == 1 ? "" : "s",
              fmt::format("{}", fmt::join(s.experiments, " ")).c_str());
  std::printf("  records      %llu rows in %llu scopes (%llu chunks, %s)\n",
              static_cast<unsigned long long>(s.record_rows), static_cast<unsigned long long>(s.scopes),
              static_cast<unsigned long long>(s.record_chunks), Bytes(s.record_bytes).c_str());
  std::printf("  files        %llu (%s); %llu contents no longer used, %s freed\n",
              static_cast<unsigned long long>(s.files), Bytes(s.file_bytes).c_str(),
              static_cast<unsigned long long>(s.contents_removed), Bytes(s.content_bytes_removed).c_str());
  std::printf("  executions   %llu removed, %llu kept with other members\n",
              static_cast<unsigned long long>(s.executions_removed),
              static_cast<unsigned long long>(s.executions_changed));
}

}  // namespace

void RegisterRm(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RmArgs>();
  CLI::App* cmd = app.add_subcommand("rm", "Delete experiments with their records, files, markers and output");
  cmd->add_option("ids", args->ids, "Experiment ids")->required();
  cmd->add_flag("--derived", args->derived, "Also delete the experiments derived from them (else they are refused)");
  cmd->add_flag("--json", args->json, "JSON output");
  cmd->footer(
      "All named experiments go in one atomic step, or none (an unknown id, derived experiments\n"
      "without --derived, or an open writer leave the store unchanged). The next export into a\n"
      "directory removes their folders and storage.sqlite rows.\n"
      "Example:\n  labstore rm rm3SAJ k8PqZ2 --derived\n");
  cmd->callback([&ctx, args] { RunRm(ctx, *args); });
}

}  // namespace labstore::tool
