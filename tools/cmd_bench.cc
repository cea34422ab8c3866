// labstore bench — what logging rows costs with labstore and with the
// alternatives (RocksDB one key per row, SQLite WAL, JSON lines), in one run.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "bench/write_bench.h"
#include "commands.h"
#include "format.h"
#include "progress.h"

namespace labstore::tool {
namespace {

struct BenchArgs {
  WriteBenchOptions options;
  std::string durability = "default";
  bool no_peers = false;
  bool json = false;
};

void RunBench(const BenchArgs& a) {
  WriteBenchOptions o = a.options;
  if (!ParseBenchDurability(a.durability, &o.durability)) {
    throw CommandError(fmt::format("unknown --durability '{}' (expected default, sync or nowal)", a.durability),
                       kExitUsage);
  }
  o.peers = !a.no_peers;
  if (o.rows == 0) throw CommandError("--rows must be at least 1", kExitUsage);
  if (o.threads == 0) throw CommandError("--threads must be at least 1", kExitUsage);
  if (o.int_columns + o.float_columns + o.string_columns == 0) {
    throw CommandError("the row has no columns (--ints, --floats, --strings are all 0)", kExitUsage);
  }
  StageProgress progress("bench", "rows", false);
  o.progress = progress.Callback();
  auto results = RunWriteBench(o);
  progress.Finish();
  if (!results.ok() && results.status().IsInvalidArgument()) {
    throw CommandError(results.status().ToString(), kExitUsage);
  }
  std::vector<WriteBenchResult> r = Check(std::move(results));
  const std::string shape = fmt::format("{} int, {} float, {} string ({} bytes)", o.int_columns, o.float_columns,
                                        o.string_columns, o.string_length);
  if (a.json) {
    std::string out = fmt::format(
        "{{\"rows\": {}, \"ints\": {}, \"floats\": {}, \"strings\": {}, \"string_length\": {}, \"durability\": \"{}\", "
        "\"threads\": {}, \"flush_rows\": {}, \"flush_ms\": {}, \"methods\": [",
        o.rows, o.int_columns, o.float_columns, o.string_columns, o.string_length, BenchDurabilityName(o.durability),
        o.threads, o.flush_rows, o.flush_interval_ms);
    for (size_t i = 0; i < r.size(); ++i) {
      out += fmt::format("{}{{\"name\": {}, \"seconds\": {:.4f}, \"rows_per_s\": {:.0f}, \"mb_per_s\": {:.2f}, "
                         "\"bytes_per_row\": {:.2f}, \"ratio_to_labstore\": {:.2f}}}",
                         i ? ", " : "", JsonString(r[i].name), r[i].seconds, r[i].rows_per_s, r[i].mb_per_s,
                         r[i].bytes_per_row, r[i].ratio_to_labstore);
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  std::printf("%llu rows of %s + timestamp; durability %s, %u writer thread%s, flush %u rows / %u ms\n\n",
              static_cast<unsigned long long>(o.rows), shape.c_str(), BenchDurabilityName(o.durability), o.threads,
              o.threads == 1 ? "" : "s", o.flush_rows, o.flush_interval_ms);
  Table t({"METHOD", "ROWS/S", "MB/S", "BYTES/ROW", "LABSTORE IS"}, {false, true, true, true, true});
  for (const WriteBenchResult& x : r) {
    t.Add({x.name, fmt::format("{:.2f} M", x.rows_per_s / 1e6), fmt::format("{:.1f}", x.mb_per_s),
           fmt::format("{:.2f}", x.bytes_per_row),
           x.name == "labstore"          ? std::string("-")
           : x.ratio_to_labstore >= 1.0 ? fmt::format("{:.2f}x faster", x.ratio_to_labstore)
                                        : fmt::format("{:.2f}x slower", 1.0 / x.ratio_to_labstore)});
  }
  std::fputs(t.Render().c_str(), stdout);
  std::printf("\nMB/s: bytes on disk after closing per second of logging. Peers run in one thread.\n");
}

}  // namespace

void RegisterBench(CLI::App& app, Context& /*ctx*/) {
  auto a = std::make_shared<BenchArgs>();
  WriteBenchOptions& o = a->options;
  CLI::App* cmd = app.add_subcommand("bench", "Measure logging rows: labstore vs RocksDB, SQLite, JSON lines");
  cmd->add_option("--rows", o.rows, "Rows per method (default 1000000)");
  cmd->add_option("--ints", o.int_columns, "int64 columns per row (default 1)");
  cmd->add_option("--floats", o.float_columns, "double columns per row (default 3)");
  cmd->add_option("--strings", o.string_columns, "string columns per row (default 1)");
  cmd->add_option("--string-length", o.string_length, "bytes per string (default 8)");
  cmd->add_option("--durability", a->durability, "default | sync (fsync per chunk) | nowal (no write-ahead log)");
  cmd->add_option("--threads", o.threads, "labstore writer threads, one experiment each (default 1)");
  cmd->add_option("--flush-rows", o.flush_rows, "labstore chunk size in rows (default 16384)");
  cmd->add_option("--flush-ms", o.flush_interval_ms, "labstore time-based flush in ms, 0 none (default 1000)");
  cmd->add_flag("--no-peers", a->no_peers, "Measure labstore only");
  cmd->add_flag("--json", a->json, "JSON output");
  cmd->add_option("--dir", o.dir,
                  "Scratch folder (default $TMPDIR or /tmp); a fresh folder inside it is removed after");
  cmd->footer(
      "Does not touch the store: everything is written to a scratch folder and removed.\n"
      "Example:\n"
      "  labstore bench --rows 2000000 --strings 2 --string-length 16 --durability sync\n");
  cmd->callback([a] { RunBench(*a); });
}

}  // namespace labstore::tool
