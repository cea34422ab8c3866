// labstore check | stats | gc — whole-store maintenance.
#include <cstdio>

#include <fmt/format.h>

#include "commands.h"
#include "format.h"
#include "labstore/check.h"
#include "labstore/data.h"
#include "progress.h"

namespace labstore::tool {
namespace {

void RunCheck(const Context& ctx, bool json) {
  Store store = ctx.OpenReader();
  Progress progress("checking", 0, "experiments");
  CheckReport r = Check(CheckStore(store, [&](const labstore::Progress& p) { progress.Update(p.done); }));
  progress.Finish();
  if (json) {
    std::string incomplete = "[";
    for (size_t i = 0; i < r.incomplete_imports.size(); ++i) {
      incomplete += (i ? ", " : "") + JsonString(r.incomplete_imports[i]);
    }
    incomplete += "]";
    std::string damage = "[";
    for (size_t i = 0; i < r.damage.size(); ++i) {
      const Damage& d = r.damage[i];
      damage += fmt::format("{}{{\"experiment_id\": {}, \"what\": {}, \"message\": {}}}", i ? ", " : "",
                            d.experiment_id.empty() ? "null" : JsonString(d.experiment_id), JsonString(d.what),
                            JsonString(d.message));
    }
    std::printf(
        "{\"ok\": %s, \"experiments\": %llu, \"scopes\": %llu, \"rows\": %llu, \"files\": %llu, "
        "\"file_bytes\": %llu, \"incomplete_imports\": %s, \"damage\": %s]}\n",
        r.ok() ? "true" : "false", static_cast<unsigned long long>(r.experiments),
        static_cast<unsigned long long>(r.scopes), static_cast<unsigned long long>(r.rows),
        static_cast<unsigned long long>(r.files), static_cast<unsigned long long>(r.file_bytes), incomplete.c_str(),
        damage.c_str());
  } else {
    std::printf("checked %llu experiments, %llu scopes, %llu rows, %llu files (%s)\n",
                static_cast<unsigned long long>(r.experiments), static_cast<unsigned long long>(r.scopes),
                static_cast<unsigned long long>(r.rows), static_cast<unsigned long long>(r.files),
                Bytes(r.file_bytes).c_str());
    for (const Damage& d : r.damage) std::printf("DAMAGED %s\n", d.ToString().c_str());
    for (const std::string& id : r.incomplete_imports) {
      std::printf("INCOMPLETE %s: an import was killed while writing it; import the same source again\n", id.c_str());
    }
    if (r.ok()) std::printf("no damage found\n");
  }
  if (!r.ok()) {
    std::fflush(stdout);
    throw CommandError(fmt::format("{} damaged item{} in {}", r.damage.size(), r.damage.size() == 1 ? "" : "s",
                                   store.dir()),
                       kExitFailure);
  }
}

std::string PartName(const StorePart& p) { return p.number == 0 ? "main" : fmt::format("shard {}", p.number); }

std::string PartState(const StorePart& p) {
  if (!p.complete) return p.held ? "being created" : "unfinished (the next writer finishes it)";
  return p.held ? "held" : "free";
}

std::string PartsJson(const std::vector<StorePart>& parts) {
  std::string out = "[";
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    out += fmt::format("{}{{\"number\": {}, \"dir\": {}, \"held\": {}, \"complete\": {}}}", i ? ", " : "",
                       p.number, JsonString(p.dir), p.held ? "true" : "false", p.complete ? "true" : "false");
  }
  return out + "]";
}

void RunStats(const Context& ctx, bool json) {
  Store store = ctx.OpenReader();
  StoreStats s = Check(GetStoreStats(store));
  std::vector<StorePart> parts = Check(ListStoreParts(store));
  double per_row = s.record_rows ? static_cast<double>(s.record_bytes) / static_cast<double>(s.record_rows) : 0;
  uint64_t blob_disk = 0;
  for (const auto& cf : s.column_families)
    if (cf.name == "blobs") blob_disk = cf.table_bytes + cf.blob_bytes + cf.memtable_bytes;
  if (json) {
    std::string cfs = "[";
    for (size_t i = 0; i < s.column_families.size(); ++i) {
      const auto& cf = s.column_families[i];
      cfs += fmt::format(
          "{}{{\"name\": {}, \"keys\": {}, \"table_bytes\": {}, \"blob_bytes\": {}, \"memtable_bytes\": {}}}",
          i ? ", " : "", JsonString(cf.name), cf.keys, cf.table_bytes, cf.blob_bytes, cf.memtable_bytes);
    }
    std::printf(
        "{\"experiments\": %llu, \"executions\": %llu, \"scopes\": %llu, \"record_rows\": %llu, "
        "\"record_bytes\": %llu, \"record_bytes_per_row\": %.2f, \"files\": %llu, \"file_bytes\": %llu, "
        "\"disk_bytes\": %llu, \"column_families\": %s], \"parts\": %s}\n",
        static_cast<unsigned long long>(s.experiments), static_cast<unsigned long long>(s.executions),
        static_cast<unsigned long long>(s.scopes), static_cast<unsigned long long>(s.record_rows),
        static_cast<unsigned long long>(s.record_bytes), per_row, static_cast<unsigned long long>(s.files),
        static_cast<unsigned long long>(s.file_bytes), static_cast<unsigned long long>(s.disk_bytes), cfs.c_str(),
        PartsJson(parts).c_str());
    return;
  }
  std::printf("store %s: %s on disk\n", store.dir().c_str(), Bytes(s.disk_bytes).c_str());
  std::printf("  experiments  %llu (%llu executions)\n", static_cast<unsigned long long>(s.experiments),
              static_cast<unsigned long long>(s.executions));
  std::printf("  records      %llu rows in %llu scopes, %s stored, %.1f bytes/row\n",
              static_cast<unsigned long long>(s.record_rows), static_cast<unsigned long long>(s.scopes),
              Bytes(s.record_bytes).c_str(), per_row);
  std::printf("  files        %llu, %s as files, %s stored (dedup and compression: %.2fx)\n\n",
              static_cast<unsigned long long>(s.files), Bytes(s.file_bytes).c_str(), Bytes(blob_disk).c_str(),
              blob_disk ? static_cast<double>(s.file_bytes) / static_cast<double>(blob_disk) : 0.0);
  Table t({"COLUMN FAMILY", "KEYS (est.)", "TABLES", "BLOB FILES", "MEMTABLE"}, {false, true, true, true, true});
  for (const auto& cf : s.column_families) {
    t.Add({cf.name, std::to_string(cf.keys), Bytes(cf.table_bytes), Bytes(cf.blob_bytes), Bytes(cf.memtable_bytes)});
  }
  std::fputs(t.Render().c_str(), stdout);
  // Parts: the main database and the shards of further writer processes (doc/many-writers.md).
  Table p({"PART", "DIRECTORY", "WRITER"}, {false, false, false});
  for (const auto& part : parts) p.Add({PartName(part), part.dir, PartState(part)});
  std::printf("\n");
  std::fputs(p.Render().c_str(), stdout);
}

void RunGc(const Context& ctx) {
  Store store = ctx.OpenWriter();
  GarbageCollectStats g = Check(GarbageCollect(store));
  std::printf("removed %llu unreferenced contents (%s), %llu unfinished uploads; fixed %llu reference counts\n",
              static_cast<unsigned long long>(g.contents_removed), Bytes(g.bytes_removed).c_str(),
              static_cast<unsigned long long>(g.uploads_removed), static_cast<unsigned long long>(g.references_fixed));
  Check(store.Close());
}

}  // namespace

void RegisterStoreCommands(CLI::App& app, Context& ctx) {
  auto json = std::make_shared<bool>(false);
  CLI::App* check = app.add_subcommand("check", "Verify every chunk and file against its checksum and content hash");
  check->add_flag("--json", *json, "JSON output");
  check->footer("Exit code 1 when anything is damaged; each damaged item is named.\nExample:\n  labstore check\n");
  check->callback([&ctx, json] { RunCheck(ctx, *json); });

  auto stats_json = std::make_shared<bool>(false);
  CLI::App* stats = app.add_subcommand("stats", "Experiments, rows, files and bytes on disk per column family");
  stats->add_flag("--json", *stats_json, "JSON output");
  stats->footer("Example:\n  labstore stats --json\n");
  stats->callback([&ctx, stats_json] { RunStats(ctx, *stats_json); });

  CLI::App* gc = app.add_subcommand("gc", "Reclaim file contents no file refers to (after crashes)");
  gc->footer("Needs the store for writing. Example:\n  labstore gc\n");
  gc->callback([&ctx] { RunGc(ctx); });
}

}  // namespace labstore::tool
