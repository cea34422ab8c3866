// Export rates: rows/s into records/*.jsonl and into the records SQL tables.
//
//   export_bench [--experiments 1000] [--rows 10000] [--threads 0] [--json]
//                [--stages] [--jsonl-only]
//
// Fills a fresh store with `experiments` experiments of one scope of `rows`
// five-column rows each ({iteration: int, loss: double, accuracy: double,
// phase: string, ok: bool}), closes and reopens it, then times, on a warm OS cache:
//   jsonl       Export with RecordsSql::kNone into an empty directory: every
//               folder, model file, marker and records/default.jsonl;
//   sql         exporting again into the same directory with kSeparateFile:
//               the JSON lines are up to date, so this is the records.sqlite
//               tables alone;
//   noop        exporting again with nothing changed;
//   append      one more row in every experiment, then exporting again;
//   sqlin       exporting again with kInStorage: the records tables added to
//               the existing storage.sqlite in place (one transaction, with
//               its rollback journal);
//   sqlfile     ExportSqlite into a new file: machinable's tables and the
//               records tables, built under a temporary name and renamed.
// --stages first times, on one thread, the pieces of the JSON lines path:
//   decode      ReadColumns of every scope (chunk reads and decoding);
//   format      WriteJsonLines into a sink that only counts the bytes
//               (decoding and formatting, no files).
// --jsonl-only stops after the jsonl phase (for profiling it alone).
// --threads is ExportOptions::threads (0: one per core). Rates are rows of
// the store divided by wall time, and by the CPU time of
// the process (all threads; the better figure on a busy machine). Targets
// (printed as a table at the end): at least 2 M rows/s into JSON lines; at
// least 2 M rows/s into the SQL tables, in each of sql, sqlin and sqlfile
// (issue 15).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "bench_util.h"
#include "labstore/export.h"
#include "labstore/labstore.h"
#include "labstore/record.h"
#include "util/return_if_error.h"

namespace {

using labstore::bench::ScratchDir;
using labstore::bench::SecondsSince;

int Fail(const labstore::Status& s) {
  std::fprintf(stderr, "export_bench: %s\n", s.ToString().c_str());
  return 1;
}

double CpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The system (kernel) part of CpuSeconds.
double SysSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_stime.tv_sec) + static_cast<double>(u.ru_stime.tv_usec) / 1e6;
}

struct Phase {
  const char* name;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the process (all threads)
  double sys_seconds = 0;  // the system part of it
  uint64_t rows = 0;  // rows the phase exported
  uint64_t bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  size_t experiments = 1000, rows = 10000;
  unsigned threads = 0;
  bool json = false, stages = false, jsonl_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--stages") {
      stages = true;
    } else if (a == "--jsonl-only") {
      jsonl_only = true;
    } else if (a == "--experiments" && i + 1 < argc) {
      experiments = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--rows" && i + 1 < argc) {
      rows = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(
          stderr,
          "usage: export_bench [--experiments N] [--rows N] [--threads N] [--json] [--stages] [--jsonl-only]\n");
      return 2;
    }
  }
  ScratchDir scratch("export");
  auto store = labstore::Store::Open({}, scratch.path() + "/store");
  if (!store.ok()) return Fail(store.status());

  auto fill_start = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (size_t e = 0; e < experiments; ++e) {
    auto x = store->Create({.module = "bench", .config = fmt::format(R"({{"run": {}}})", e)});
    if (!x.ok()) return Fail(x.status());
    ids.push_back(x->id);
    auto w = labstore::RecordWriter::Open(*store, x->id, "default");
    if (!w.ok()) return Fail(w.status());
    auto iteration = w->Column("iteration").value(), loss = w->Column("loss").value(),
         accuracy = w->Column("accuracy").value(), phase = w->Column("phase").value(), ok = w->Column("ok").value();
    for (size_t r = 0; r < rows; ++r) {
      w->Set(iteration, static_cast<int64_t>(r));
      w->Set(loss, 1.0 / static_cast<double>(r + 1));
      w->Set(accuracy, 0.5 + static_cast<double>(r % 100) / 200.0);
      w->Set(phase, r % 10 == 0 ? "eval" : "train");
      w->Set(ok, r % 7 != 0);
      if (auto s = w->Save(); !s.ok()) return Fail(s);
    }
    if (auto s = w->Close(); !s.ok()) return Fail(s);
    if (auto s = store->MarkFinished(x->id); !s.ok()) return Fail(s);
  }
  // Close (which flushes the memtable) and reopen, so that no flush of the
  // fill runs in the background of the timed phases.
  if (auto s = store->Close(); !s.ok()) return Fail(s);
  store = labstore::Store::Open({}, scratch.path() + "/store");
  if (!store.ok()) return Fail(store.status());
  double fill_s = SecondsSince(fill_start);
  const uint64_t total = static_cast<uint64_t>(experiments) * rows;
  if (!json) std::fprintf(stderr, "export_bench: %zu x %zu rows stored in %.1f s\n", experiments, rows, fill_s);

  std::string dest = scratch.path() + "/out";
  std::vector<Phase> phases;
  auto run = [&](const char* name, labstore::ExportOptions options, uint64_t rows_expected) -> labstore::Status {
    options.threads = threads;
    auto start = std::chrono::steady_clock::now();
    double cpu = CpuSeconds(), sys = SysSeconds();
    auto stats = labstore::Export(*store, dest, options);
    double s = SecondsSince(start);
    cpu = CpuSeconds() - cpu;
    sys = SysSeconds() - sys;
    if (!stats.ok()) return stats.status();
    phases.push_back({name, s, cpu, sys, rows_expected, stats->bytes_written});
    return labstore::Status::OK();
  };
  if (stages) {
    auto stage = [&](const char* name, const std::function<labstore::Status(const std::string&)>& each) {
      auto start = std::chrono::steady_clock::now();
      double cpu = CpuSeconds(), sys = SysSeconds();
      for (const std::string& id : ids) LABSTORE_RETURN_IF_ERROR(each(id));
      phases.push_back({name, SecondsSince(start), CpuSeconds() - cpu, SysSeconds() - sys, total, 0});
      return labstore::Status::OK();
    };
    uint64_t bytes = 0;
    auto decode = [&](const std::string& id) {
      auto cols = labstore::ReadColumns(*store, id, "default");
      return cols.ok() ? labstore::Status::OK() : cols.status();
    };
    auto format = [&](const std::string& id) {
      return labstore::WriteJsonLines(*store, id, "default", [&](std::string_view text) {
        bytes += text.size();
        return labstore::Status::OK();
      });
    };
    if (auto s = stage("decode", decode); !s.ok()) return Fail(s);
    if (auto s = stage("format", format); !s.ok()) return Fail(s);
    phases.back().bytes = bytes;
  }
  if (auto s = run("jsonl", {.records_sql = labstore::RecordsSql::kNone}, total); !s.ok()) return Fail(s);
  if (!jsonl_only) {
    if (auto s = run("sql", {.records_sql = labstore::RecordsSql::kSeparateFile}, total); !s.ok()) return Fail(s);
    if (auto s = run("noop", {.records_sql = labstore::RecordsSql::kSeparateFile}, 0); !s.ok()) return Fail(s);
    for (const std::string& id : ids) {
      auto w = labstore::RecordWriter::Open(*store, id, "default");
      if (!w.ok()) return Fail(w.status());
      w->Set("iteration", static_cast<int64_t>(rows));
      if (auto s = w->Save(); !s.ok()) return Fail(s);
      if (auto s = w->Close(); !s.ok()) return Fail(s);
    }
    if (auto s = run("append", {.records_sql = labstore::RecordsSql::kSeparateFile}, experiments); !s.ok())
      return Fail(s);
    const uint64_t stored = total + experiments;  // with the appended row
    if (auto s = run("sqlin", {.records_sql = labstore::RecordsSql::kInStorage}, stored); !s.ok()) return Fail(s);
    auto start = std::chrono::steady_clock::now();
    double cpu = CpuSeconds(), sys = SysSeconds();
    auto file = labstore::ExportSqlite(*store, scratch.path() + "/all.sqlite");
    if (!file.ok()) return Fail(file.status());
    phases.push_back({"sqlfile", SecondsSince(start), CpuSeconds() - cpu, SysSeconds() - sys, stored,
                      file->bytes_written});
  }
  std::error_code ec;
  uint64_t jsonl_bytes = labstore::bench::DirectoryBytes(dest) -
                         std::filesystem::file_size(dest + "/records.sqlite", ec) -
                         std::filesystem::file_size(dest + "/storage.sqlite", ec);

  if (json) {
    std::printf("{\"experiments\": %zu, \"rows_per_experiment\": %zu, \"phases\": [", experiments, rows);
    for (size_t i = 0; i < phases.size(); ++i) {
      const Phase& p = phases[i];
      std::printf(
          "%s{\"phase\": \"%s\", \"seconds\": %.3f, \"cpu_seconds\": %.3f, \"sys_seconds\": %.3f, \"rows\": %llu, "
          "\"rows_per_s\": %.0f, \"rows_per_cpu_s\": %.0f, \"bytes_written\": %llu}",
          i ? ", " : "", p.name, p.seconds, p.cpu_seconds, p.sys_seconds, static_cast<unsigned long long>(p.rows),
          p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0.0,
          p.cpu_seconds > 0 ? static_cast<double>(p.rows) / p.cpu_seconds : 0.0,
          static_cast<unsigned long long>(p.bytes));
    }
    std::printf("], \"jsonl_bytes_per_row\": %.1f}\n", static_cast<double>(jsonl_bytes) / static_cast<double>(total));
    return 0;
  }
  std::printf("%zu experiments x %zu rows (five columns), %.1f M rows\n", experiments, rows,
              static_cast<double>(total) / 1e6);
  std::printf("%-8s %10s %10s %8s %12s %14s %14s %12s\n", "phase", "seconds", "cpu s", "sys s", "rows", "rows/s",
              "rows/cpu s", "MB written");
  for (const Phase& p : phases) {
    std::printf(
        "%-8s %10.3f %10.3f %8.3f %12llu %14.0f %14.0f %12.1f\n", p.name, p.seconds, p.cpu_seconds, p.sys_seconds,
        static_cast<unsigned long long>(p.rows), p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0.0,
        p.cpu_seconds > 0 ? static_cast<double>(p.rows) / p.cpu_seconds : 0.0, static_cast<double>(p.bytes) / 1e6);
  }
  std::printf("JSON lines: %.1f bytes per row on disk\n",
              static_cast<double>(jsonl_bytes) / static_cast<double>(total));
  std::printf("\n| %-40s | %-28s | %-6s |\n|%s|%s|%s|\n", "target", "measured", "met?", std::string(42, '-').c_str(),
              std::string(30, '-').c_str(), std::string(8, '-').c_str());
  auto target = [&](const char* what, const char* phase, double goal) {
    for (const Phase& p : phases) {
      if (std::strcmp(p.name, phase) != 0 || p.seconds <= 0) continue;
      double rate = static_cast<double>(p.rows) / p.seconds, cpu_rate = static_cast<double>(p.rows) / p.cpu_seconds;
      std::printf("| %-40s | %-28s | %-6s |\n", what,
                  fmt::format("{:.2f} M/s ({:.2f} M/cpu s)", rate / 1e6, cpu_rate / 1e6).c_str(),
                  rate >= goal ? "met" : "MISSED");
    }
  };
  target("JSON lines >= 2 M rows/s", "jsonl", 2e6);
  target("records.sqlite >= 2 M rows/s (issue 15)", "sql", 2e6);
  target("into storage.sqlite >= 2 M rows/s", "sqlin", 2e6);
  target("ExportSqlite file >= 2 M rows/s", "sqlfile", 2e6);
  return 0;
}
