// labstore export | import | sqlite — machinable's layout out and in.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "commands.h"
#include "format.h"
#include "labstore/export.h"
#include "labstore/import.h"
#include "progress.h"

namespace labstore::tool {
namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string dest;
  std::string only;  // comma-separated ids
  bool full = false;
  bool force = false;
  bool sync = false;
  std::string records_sql = "storage";
  bool json = false;
};

std::vector<std::string> SplitIds(const std::string& s) {
  std::vector<std::string> ids;
  std::stringstream in(s);
  std::string id;
  while (std::getline(in, id, ',')) {
    if (!id.empty()) ids.push_back(id);
  }
  return ids;
}

void PrintExportStats(const ExportStats& s, double secs, bool json) {
  if (json) {
    std::printf(
        "{\"experiments\": %llu, \"experiments_added\": %llu, \"files_written\": %llu, \"files_unchanged\": %llu, "
        "\"record_rows\": %llu, \"record_sql_rows\": %llu, \"bytes_written\": %llu, \"seconds\": %.3f}\n",
        static_cast<unsigned long long>(s.experiments), static_cast<unsigned long long>(s.experiments_added),
        static_cast<unsigned long long>(s.files_written), static_cast<unsigned long long>(s.files_unchanged),
        static_cast<unsigned long long>(s.record_rows), static_cast<unsigned long long>(s.record_sql_rows),
        static_cast<unsigned long long>(s.bytes_written), secs);
    return;
  }
  std::printf(
      "exported %llu experiments (%llu new) in %.2f s: %llu files written (%s), %llu unchanged, "
      "%llu record rows as JSON lines, %llu as SQL rows\n",
      static_cast<unsigned long long>(s.experiments), static_cast<unsigned long long>(s.experiments_added), secs,
      static_cast<unsigned long long>(s.files_written), Bytes(s.bytes_written).c_str(),
      static_cast<unsigned long long>(s.files_unchanged), static_cast<unsigned long long>(s.record_rows),
      static_cast<unsigned long long>(s.record_sql_rows));
  if (s.experiments_removed > 0) {
    std::printf("removed the folders and rows of %llu deleted experiment%s\n",
                static_cast<unsigned long long>(s.experiments_removed), s.experiments_removed == 1 ? "" : "s");
  }
  for (const auto& w : s.warnings) std::printf("warning: %s\n", w.c_str());
}

// The library's messages name ExportOptions fields; the command's users know
// its flags. Returns the value, or throws with the flags named.
ExportStats CheckExport(Result<ExportStats> result) {
  if (result.ok()) return std::move(*result);
  std::string message = result.status().message();
  for (std::string_view field : {"set ExportOptions::force", "ExportOptions::force"}) {
    if (size_t at = message.find(field); at != std::string::npos) {
      message.replace(at, field.size(), field.front() == 's' ? "pass --force" : "--force");
      break;
    }
  }
  throw CommandError(message, kExitFailure);
}

void RunExport(const Context& ctx, const ExportArgs& a) {
  Store store = ctx.OpenReader();
  ExportOptions options;
  options.experiments = SplitIds(a.only);
  options.force = a.force;
  options.sync = a.sync;
  options.records_sql = a.records_sql == "none" ? RecordsSql::kNone
                        : a.records_sql == "separate" ? RecordsSql::kSeparateFile
                                                      : RecordsSql::kInStorage;
  if (a.full) {
    // A full export: start from an empty destination (a previous export of
    // ours is removed first, anything else is refused by Export below).
    std::error_code ec;
    if (fs::exists(fs::path(a.dest) / kExportManifest, ec)) {
      fs::remove_all(a.dest, ec);
      if (ec)
        throw CommandError(fmt::format("cannot remove the previous export {}: {}", a.dest, ec.message()), kExitFailure);
    }
  }
  StageProgress progress("export", "experiments", true);
  options.progress = progress.Callback();
  auto start = std::chrono::steady_clock::now();
  auto result = Export(store, a.dest, options);
  progress.Finish();
  ExportStats stats = CheckExport(std::move(result));
  PrintExportStats(stats, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), a.json);
}

void RunImport(const Context& ctx, const std::string& src, const std::string& root, bool json) {
  Check(CheckImportSource(src));  // before the store is opened: a bad SRC creates nothing
  Store store = ctx.OpenWriter();
  StageProgress progress("", "experiments", true);
  auto result = Import(store, src, {.recorded_root = root, .progress = progress.Callback()});
  progress.Finish();
  ImportReport r = Check(std::move(result));
  Check(store.Close());
  if (json) {
    auto list = [](const std::vector<std::string>& v) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + JsonString(v[i]);
      return s + "]";
    };
    std::string problems = "[";
    for (size_t i = 0; i < r.problems.size(); ++i) {
      const auto& p = r.problems[i];
      problems +=
          fmt::format("{}{{\"experiment_id\": {}, \"path\": {}, \"message\": {}, \"fatal\": {}}}", i ? ", " : "",
                      JsonString(p.experiment_id), JsonString(p.path), JsonString(p.message), p.fatal);
    }
    std::printf("{\"recorded_root\": %s, \"imported\": %s, \"skipped\": %s, \"failed\": %s, \"record_rows\": %llu, "
                "\"files\": %llu, \"problems\": %s]}\n",
                JsonString(r.recorded_root).c_str(), list(r.imported).c_str(), list(r.skipped).c_str(),
                list(r.failed).c_str(), static_cast<unsigned long long>(r.record_rows),
                static_cast<unsigned long long>(r.files), problems.c_str());
  } else {
    std::printf("%s", r.ToString().c_str());
    if (!r.ToString().empty() && r.ToString().back() != '\n') std::printf("\n");
  }
  if (!r.failed.empty()) {
    std::fflush(stdout);
    throw CommandError(fmt::format("{} experiment{} could not be imported from {}", r.failed.size(),
                                   r.failed.size() == 1 ? "" : "s", src),
                       kExitFailure);
  }
}

void RunSqlite(const Context& ctx, const std::string& file, bool force) {
  Store store = ctx.OpenReader();
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    throw CommandError(fmt::format("{} is a folder; give the SQLite file to write, e.g. {}", file,
                                   (fs::path(file) / "view.sqlite").string()),
                       kExitUsage);
  }
  if (!force && fs::exists(file, ec)) {
    throw CommandError(fmt::format("{} exists; remove it, choose another file, or pass --force to replace it", file),
                       kExitFailure);
  }
  StageProgress progress("sqlite", "experiments", true);
  auto result = ExportSqlite(store, file, {.force = force, .progress = progress.Callback()});
  progress.Finish();
  ExportStats stats = CheckExport(std::move(result));
  std::printf("wrote %s: machinable's five tables and the records of %llu experiments (%llu rows) as SQL tables\n",
              file.c_str(), static_cast<unsigned long long>(stats.experiments),
              static_cast<unsigned long long>(stats.record_sql_rows));
}

}  // namespace

void RegisterExportCommands(CLI::App& app, Context& ctx) {
  auto e = std::make_shared<ExportArgs>();
  CLI::App* ex = app.add_subcommand("export", "Write machinable's storage layout and storage.sqlite (incremental)");
  ex->add_option("DEST", e->dest, "Destination folder (created if missing)")->required();
  ex->add_option("--only", e->only, "Comma-separated experiment ids (their ancestors come along)");
  ex->add_flag("--full", e->full, "Rewrite everything instead of only what changed since the last export");
  ex->add_flag("--force", e->force, "Export into a non-empty folder that is not a labstore export");
  ex->add_flag("--sync", e->sync, "fsync what is written (survives a machine crash)");
  ex->add_option("--records-sql", e->records_sql, "Records as SQL tables: storage (default), separate, none")
      ->check(CLI::IsMember({"storage", "separate", "none"}));
  ex->add_flag("--json", e->json, "JSON output");
  ex->footer("Example:\n  labstore export ./storage\n  labstore export /tmp/one --only rm3SAJ,HzaTkK\n");
  ex->callback([&ctx, e] { RunExport(ctx, *e); });

  auto src = std::make_shared<std::string>();
  auto root = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  CLI::App* im = app.add_subcommand("import", "Read a machinable storage (folders + storage.sqlite) into the store");
  im->add_option("SRC", *src, "machinable storage folder")->required();
  im->add_option("--recorded-root", *root, "The absolute folder storage.sqlite recorded (default: detected)");
  im->add_flag("--json", *json, "JSON output");
  im->footer("Importing the same source twice adds nothing. Example:\n  labstore import ~/old-project/storage\n");
  im->callback([&ctx, src, root, json] { RunImport(ctx, *src, *root, *json); });

  auto file = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* sq = app.add_subcommand("sqlite", "Write the SQLite view alone: machinable's tables and the records");
  sq->add_option("FILE", *file, "SQLite file to create")->required();
  sq->add_flag("--force", *force, "Replace FILE if it exists");
  sq->footer(
      "Example:\n  labstore sqlite results.sqlite && sqlite3 results.sqlite \"SELECT experiment_id, AVG(loss) FROM "
      "records_default GROUP BY experiment_id\"\n");
  sq->callback([&ctx, file, force] { RunSqlite(ctx, *file, *force); });
}

}  // namespace labstore::tool
