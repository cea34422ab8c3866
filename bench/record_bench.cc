// record_bench: what logging a row costs with labstore and with the
// alternatives (doc/design.md, "Why rows are stored in chunks"), measured in one run.
//
//   record_bench [--rows N] [--runs R] [--json] [--no-peers] [--sweep]
//
// Every method logs the same N rows (default 10,000,000) of the five-column
// row {iteration: int, loss, accuracy, lr: double, phase: string} plus a
// clock_gettime timestamp per row:
//   labstore (default)   RecordWriter, default RecordOptions (WAL on, no sync)
//   labstore (sync)      the same with RecordOptions::sync (fsync per chunk)
//   labstore (Set by name) the default writer, cells set by name (Set("loss", v))
//   RocksDB per row      one key per row, WriteBatch of 1000, WAL on, no sync
//   SQLite WAL           typed table, INTEGER PRIMARY KEY, transaction per 1000
//   JSON lines           fmt::format_to + fwrite per row
// The peers are RunWriteBench's (bench/write_bench.h, what `labstore bench`
// runs), logging a row of the same shape: 1 int, 3 doubles, 1 8-byte string.
// Time runs from the first row to the point where every row is handed to the
// storage (labstore: RecordWriter::Close returned; peers: last batch/commit
// /fflush returned). MB/s is bytes on disk (after closing) per second of
// logging. With --runs R the methods run R times interleaved and medians are
// reported. Each method then reads its rows back into typed columns (labstore:
// ReadColumns into a fresh result and into a reused one; the peers: a RocksDB
// iterator, an SQLite SELECT, a JSON-lines parse), timed apart from the logging.
// --sweep also measures labstore's chunk sizes and codecs. The targets (issue
// 15) are printed as a table; writer-thread scaling is RunWriteBench's
// labstore with 1 and 2 threads (the N rows split over them).
//
// This binary keeps the fixed five-column row (its numbers are quoted in
// labstore/record.h) plus read-back, memory and CPU per row. For another row
// shape, durability mode (sync, no WAL), writer threads or flush policy use
// `labstore bench` (RunWriteBench in bench/write_bench.h).
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "labstore/labstore.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "bench_rows.h"
#include "bench/write_bench.h"
#include "store/store_state.h"

namespace labstore::bench {
namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "record_bench: %s\n", what.c_str());
  std::exit(1);
}

uint64_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

double ThreadCpuSeconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct LabstoreResult {
  double seconds = 0;
  double cpu_seconds = 0;
  double caller_cpu_seconds = 0;  // the logging thread alone, Set + Save (no Close)
  uint64_t disk_bytes = 0;
  double read_seconds = 0;    // into a fresh RecordColumns
  double reread_seconds = 0;  // again, into the same RecordColumns (memory reused)
};

// by_name: Set("loss", v) instead of Set(ColumnId, v).
LabstoreResult RunLabstore(const BenchRows& rows, uint64_t n, const RecordOptions& options, bool read_back,
                           bool by_name = false) {
  ScratchDir dir("record");
  std::string path = dir.path() + "/store";
  auto store = Store::Open({}, path);
  if (!store.ok()) Die(store.status().ToString());
  auto e = store->Create({.module = "record_bench"});
  if (!e.ok()) Die(e.status().ToString());
  LabstoreResult r;
  auto start = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuSeconds();
  {
    auto w = RecordWriter::Open(*store, e->id, "default", options);
    if (!w.ok()) Die(w.status().ToString());
    ColumnId it = w->Column("iteration").value(), loss = w->Column("loss").value(),
             acc = w->Column("accuracy").value(), lr = w->Column("lr").value(), phase = w->Column("phase").value();
    const double caller0 = ThreadCpuSeconds();
    for (uint64_t i = 0; i < n && !by_name; ++i) {
      w->Set(it, rows.iteration(i));
      w->Set(loss, rows.loss(i));
      w->Set(acc, rows.accuracy(i));
      w->Set(lr, rows.lr(i));
      w->Set(phase, rows.phase(i));
      if (!w->Save().ok()) Die("Save failed");
    }
    for (uint64_t i = 0; i < n && by_name; ++i) {
      w->Set("iteration", rows.iteration(i));
      w->Set("loss", rows.loss(i));
      w->Set("accuracy", rows.accuracy(i));
      w->Set("lr", rows.lr(i));
      w->Set("phase", rows.phase(i));
      if (!w->Save().ok()) Die("Save failed");
    }
    r.caller_cpu_seconds = ThreadCpuSeconds() - caller0;
    Status s = w->Close();
    if (!s.ok()) Die(s.ToString());
  }
  r.seconds = SecondsSince(start);
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  if (read_back) {
    auto t = std::chrono::steady_clock::now();
    auto cols = ReadColumns(*store, e->id, "default");
    r.read_seconds = SecondsSince(t);
    if (!cols.ok()) Die(cols.status().ToString());
    if (cols->rows != n || cols->Find("iteration")->ints[n - 1] != static_cast<int64_t>(n - 1) ||
        cols->Find("phase")->StringAt(9) != "validation") {
      Die("read-back returned wrong rows");
    }
    t = std::chrono::steady_clock::now();
    Status again = ReadColumns(*store, e->id, "default", {}, &*cols);
    r.reread_seconds = SecondsSince(t);
    if (!again.ok() || cols->rows != n) Die("second read-back failed");
  }
  if (!store->Close().ok()) Die("close failed");
  r.disk_bytes = DirectoryBytes(path);
  return r;
}

double Median(std::vector<double> v) { return Quantile(v, 0.5); }

// The writer's memory, measured in a child forked before anything else ran
// (a clean heap): RSS growth over the store opened and empty, and the part of
// it that is RocksDB's memtables (bounded by write_buffer_size).
struct MemoryResult {
  double rss_1m = 0, rss_half = 0, rss_end = 0, memtable_1m = 0, memtable_end = 0;
};

MemoryResult MeasureMemory(const BenchRows& rows, uint64_t n) {
  int fd[2];
  if (::pipe(fd) != 0) Die("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) Die("fork failed");
  MemoryResult r;
  if (pid == 0) {
    ::close(fd[0]);
    ScratchDir dir("record-mem");
    auto store = Store::Open({}, dir.path() + "/store");
    if (!store.ok()) ::_exit(1);
    auto e = store->Create({.module = "record_bench"});
    if (!e.ok()) ::_exit(1);
    auto memtables = [&] {
      uint64_t v = 0;
      const internal::StoreState& st = *internal::StateOf(*store);
      st.db->GetIntProperty(st.handle(internal::kCfRecords), "rocksdb.cur-size-all-mem-tables", &v);
      return static_cast<double>(v);
    };
    const double base = static_cast<double>(RssBytes());
    {
      auto w = RecordWriter::Open(*store, e->id, "default");
      if (!w.ok()) ::_exit(1);
      ColumnId it = w->Column("iteration").value(), loss = w->Column("loss").value(),
               acc = w->Column("accuracy").value(), lr = w->Column("lr").value(), phase = w->Column("phase").value();
      for (uint64_t i = 0; i < n; ++i) {
        w->Set(it, rows.iteration(i));
        w->Set(loss, rows.loss(i));
        w->Set(acc, rows.accuracy(i));
        w->Set(lr, rows.lr(i));
        w->Set(phase, rows.phase(i));
        if (!w->Save().ok()) ::_exit(1);
        if (i + 1 == n / 2) r.rss_half = static_cast<double>(RssBytes()) - base;
        if (i + 1 == std::min<uint64_t>(n, 1000000)) {
          r.rss_1m = static_cast<double>(RssBytes()) - base;
          r.memtable_1m = memtables();
        }
      }
      r.rss_end = static_cast<double>(RssBytes()) - base;
      r.memtable_end = memtables();
      (void)w->Close();
    }
    if (::write(fd[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) ::_exit(1);
    ::_exit(0);
  }
  ::close(fd[1]);
  if (::read(fd[0], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) Die("memory measurement failed");
  ::close(fd[0]);
  int status;
  ::waitpid(pid, &status, 0);
  return r;
}

struct Method {
  std::string name;
  std::vector<double> seconds;
  std::vector<double> bytes;
  std::vector<double> cpu;
  std::vector<double> caller_cpu;  // labstore: the logging thread's CPU
  std::vector<double> read_seconds;  // reading the rows back (labstore (sync): not measured)
};

}  // namespace
}  // namespace labstore::bench

int main(int argc, char** argv) {
  using namespace labstore;
  using namespace labstore::bench;
  uint64_t n = 10000000;
  int runs = 1;
  bool json = false, peers = true, sweep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) n = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (a == "--json") json = true;
    else if (a == "--no-peers") peers = false;
    else if (a == "--sweep") sweep = true;
    else {
      std::fprintf(stderr, "usage: record_bench [--rows N] [--runs R] [--json] [--no-peers] [--sweep]\n");
      return 2;
    }
  }
  if (n < 1000) n = 1000;
  BenchRows rows(n);
  const MemoryResult mem = MeasureMemory(rows, n);  // first: no threads yet, clean heap

  std::vector<Method> table = {{"labstore (default)", {}, {}, {}, {}}, {"labstore (sync)", {}, {}, {}, {}},
                               {"labstore (Set by name)", {}, {}, {}, {}}};
  const size_t kPeer0 = table.size();
  if (peers) {
    table.push_back({"RocksDB, key per row, batch 1000", {}, {}, {}, {}});
    table.push_back({"SQLite WAL, txn 1000", {}, {}, {}, {}});
    table.push_back({"JSON lines, fmt + fwrite", {}, {}, {}, {}});
  }
  std::vector<double> read_seconds, reread_seconds, one_writer, two_writers;
  for (int run = 0; run < runs; ++run) {
    LabstoreResult d = RunLabstore(rows, n, {}, true);
    table[0].seconds.push_back(d.seconds);
    table[0].bytes.push_back(static_cast<double>(d.disk_bytes));
    table[0].cpu.push_back(d.cpu_seconds);
    table[0].caller_cpu.push_back(d.caller_cpu_seconds);
    read_seconds.push_back(d.read_seconds);
    table[0].read_seconds.push_back(d.read_seconds);
    reread_seconds.push_back(d.reread_seconds);
    LabstoreResult s = RunLabstore(rows, n, {.sync = true}, false);
    table[1].seconds.push_back(s.seconds);
    table[1].bytes.push_back(static_cast<double>(s.disk_bytes));
    table[1].cpu.push_back(s.cpu_seconds);
    LabstoreResult named = RunLabstore(rows, n, {}, false, true);
    table[2].seconds.push_back(named.seconds);
    table[2].bytes.push_back(static_cast<double>(named.disk_bytes));
    table[2].cpu.push_back(named.cpu_seconds);
    table[2].caller_cpu.push_back(named.caller_cpu_seconds);
    // Writer threads: the same rows split over 1 and 2 writers (one experiment
    // each), as `labstore bench --threads` runs them.
    for (uint32_t threads : {1u, 2u}) {
      auto t = RunWriteBench({.rows = n, .threads = threads, .peers = false});
      if (!t.ok()) Die(t.status().ToString());
      (threads == 1 ? one_writer : two_writers).push_back((*t)[0].rows_per_s);
    }
    if (peers) {
      // The peers as `labstore bench` runs them (lib/bench): the same shape of
      // row (1 int, 3 doubles, 1 string of 8 bytes, timestamp), one thread.
      // Each then reads its rows back into typed columns (the read peers).
      auto peer = RunWriteBench({.rows = n, .int_columns = 1, .float_columns = 3, .string_columns = 1,
                                 .string_length = 8, .read_back = true});
      if (!peer.ok()) Die(peer.status().ToString());
      for (size_t m = 1; m < peer->size(); ++m) {
        const WriteBenchResult& p = (*peer)[m];
        table[kPeer0 + m - 1].seconds.push_back(p.seconds);
        table[kPeer0 + m - 1].bytes.push_back(p.bytes_per_row * static_cast<double>(n));
        table[kPeer0 + m - 1].cpu.push_back(p.cpu_seconds);
        table[kPeer0 + m - 1].read_seconds.push_back(p.read_seconds);
      }
    }
  }

  const double dn = static_cast<double>(n);
  auto rate = [&](const Method& r) { return dn / Median(r.seconds); };
  auto cpu_ns = [&](const Method& r) { return Median(r.cpu) / dn * 1e9; };
  const double lab_rate = rate(table[0]);
  const double read_rate = dn / Median(read_seconds);
  const double reread_rate = dn / Median(reread_seconds);
  // The read peers: the best of them, and labstore's fresh read-back over it.
  const char* read_names[] = {"RocksDB iterator, key per row", "SQLite SELECT ... ORDER BY row",
                              "JSON lines parse (flat parser)"};
  double best_peer_read = 0;
  std::string best_peer_name;
  for (size_t m = kPeer0; m < table.size(); ++m) {
    const double r = dn / Median(table[m].read_seconds);
    if (r > best_peer_read) best_peer_read = r, best_peer_name = read_names[m - kPeer0];
  }
  const double mib = 1024.0 * 1024.0;

  struct SweepRow {
    std::string name;
    double rate, bytes_per_row, cpu_ns;
  };
  std::vector<SweepRow> sweep_rows;
  if (sweep) {
    for (uint32_t chunk : {1024u, 4096u, 16384u, 65536u}) {
      for (Compression c : {Compression::kLz4, Compression::kZstd, Compression::kNone}) {
        if (chunk != 16384 && c != Compression::kLz4) continue;
        std::vector<double> secs, bytes, cpu;
        for (int run = 0; run < runs; ++run) {
          LabstoreResult r = RunLabstore(rows, n, {.flush_rows = chunk, .compression = c}, false);
          secs.push_back(r.seconds);
          bytes.push_back(static_cast<double>(r.disk_bytes));
          cpu.push_back(r.cpu_seconds);
        }
        const char* codec = c == Compression::kLz4 ? "lz4" : c == Compression::kZstd ? "zstd" : "none";
        sweep_rows.push_back({fmt::format("flush_rows {:>6}, {}", chunk, codec), dn / Median(secs), Median(bytes) / dn,
                              Median(cpu) / dn * 1e9});
      }
    }
  }

  if (json) {
    std::string out = fmt::format("{{\"rows\": {}, \"runs\": {}, \"methods\": [", n, runs);
    for (size_t i = 0; i < table.size(); ++i) {
      const Method& r = table[i];
      out += fmt::format(
          "{}{{\"name\": \"{}\", \"rows_per_s\": {:.0f}, \"mb_per_s\": {:.1f}, \"bytes_per_row\": {:.2f}, "
          "\"labstore_ratio\": {:.2f}, \"cpu_ns_per_row\": {:.1f}, \"labstore_cpu_ratio\": {:.2f}}}",
          i ? ", " : "", r.name, rate(r), Median(r.bytes) / mib / Median(r.seconds), Median(r.bytes) / dn,
          lab_rate / rate(r), cpu_ns(r), cpu_ns(r) / cpu_ns(table[0]));
    }
    out += "], \"read_peers\": [";
    for (size_t m = kPeer0; m < table.size(); ++m) {
      out += fmt::format("{}{{\"name\": \"{}\", \"read_rows_per_s\": {:.0f}}}", m > kPeer0 ? ", " : "",
                         read_names[m - kPeer0],
                         dn / Median(table[m].read_seconds));
    }
    out += fmt::format(
        "], \"read_back_rows_per_s\": {:.0f}, \"read_back_reused_rows_per_s\": {:.0f}, "
        "\"writer_rss_mib_after_1m\": {:.1f}, \"writer_rss_mib_after_half\": {:.1f}, \"writer_rss_mib_after_all\": "
        "{:.1f}, "
        "\"memtables_mib_after_1m\": {:.1f}, \"memtables_mib_after_all\": {:.1f}",
        read_rate, reread_rate, mem.rss_1m / mib, mem.rss_half / mib, mem.rss_end / mib, mem.memtable_1m / mib,
        mem.memtable_end / mib);
    if (!sweep_rows.empty()) {
      out += ", \"sweep\": [";
      for (size_t i = 0; i < sweep_rows.size(); ++i) {
        out += fmt::format(
            "{}{{\"name\": \"{}\", \"rows_per_s\": {:.0f}, \"bytes_per_row\": {:.2f}, \"cpu_ns_per_row\": {:.1f}}}",
            i ? ", " : "", sweep_rows[i].name, sweep_rows[i].rate, sweep_rows[i].bytes_per_row, sweep_rows[i].cpu_ns);
      }
      out += "]";
    }
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }

  std::printf("record_bench: %llu rows of {iteration, loss, accuracy, lr, phase} + timestamp; %s of %d run%s\n\n",
              static_cast<unsigned long long>(n), runs > 1 ? "medians" : "one", runs, runs > 1 ? "s" : "");
  std::printf("| %-34s | %10s | %8s | %9s | %11s | %9s | %11s |\n", "method", "rows/s", "MB/s", "bytes/row",
              "labstore is", "CPU ns/row", "by CPU");
  std::printf("|%s|%s|%s|%s|%s|%s|%s|\n", std::string(36, '-').c_str(), std::string(12, '-').c_str(),
              std::string(10, '-').c_str(), std::string(11, '-').c_str(), std::string(13, '-').c_str(),
              std::string(11, '-').c_str(), std::string(13, '-').c_str());
  for (const Method& r : table) {
    std::printf("| %-34s | %8.2f M | %8.1f | %9.2f | %10.2fx | %9.1f | %10.2fx |\n", r.name.c_str(), rate(r) / 1e6,
                Median(r.bytes) / mib / Median(r.seconds), Median(r.bytes) / dn, lab_rate / rate(r), cpu_ns(r),
                cpu_ns(r) / cpu_ns(table[0]));
  }
  std::printf("(rows/s: wall clock; CPU ns/row: process CPU of all threads over the same span; \"labstore is\": how\n"
              " many times faster labstore (default) is, by wall clock and by CPU)\n");
  std::printf("logging thread alone (Set x5 + Save, thread CPU): %.1f ns/row by ColumnId, %.1f ns/row by name\n",
              Median(table[0].caller_cpu) / dn * 1e9, Median(table[2].caller_cpu) / dn * 1e9);
  std::printf("\nread-back into typed columns (ReadColumns): %.1f M rows/s fresh, %.1f M rows/s into a reused result\n",
              read_rate / 1e6, reread_rate / 1e6);
  std::printf(
      "writer memory (RSS growth in a clean process): +%.1f MiB after 1 M rows, +%.1f MiB after %llu,"
      " +%.1f MiB after %llu;\n  RocksDB memtables (bounded by write_buffer_size 64 MiB x 2): %.1f MiB after 1 M rows,"
      " %.1f MiB at the end\n",
      mem.rss_1m / mib, mem.rss_half / mib, static_cast<unsigned long long>(n / 2), mem.rss_end / mib,
      static_cast<unsigned long long>(n), mem.memtable_1m / mib, mem.memtable_end / mib);
  if (peers) {
    // The same rows read back by each peer from what it wrote, into typed
    // columns (RunWriteBench's read_back, bench/write_bench.h).
    std::printf("\n| %-34s | %10s | %11s |\n|%s|%s|%s|\n", "read back into typed columns", "rows/s", "labstore is",
                std::string(36, '-').c_str(), std::string(12, '-').c_str(), std::string(13, '-').c_str());
    std::printf("| %-34s | %8.2f M | %10.2fx |\n", "labstore ReadColumns (fresh)", read_rate / 1e6, 1.0);
    for (size_t m = kPeer0; m < table.size(); ++m) {
      const double r = dn / Median(table[m].read_seconds);
      std::printf("| %-34s | %8.2f M | %10.2fx |\n", read_names[m - kPeer0], r / 1e6, read_rate / r);
    }
  }
  if (!sweep_rows.empty()) {
    std::printf("\n| %-28s | %10s | %9s | %10s |\n|%s|%s|%s|%s|\n", "labstore chunk / codec", "rows/s", "bytes/row",
                "CPU ns/row", std::string(30, '-').c_str(), std::string(12, '-').c_str(), std::string(11, '-').c_str(),
                std::string(12, '-').c_str());
    for (const SweepRow& s : sweep_rows) {
      std::printf("| %-28s | %8.2f M | %9.2f | %10.1f |\n", s.name.c_str(), s.rate / 1e6, s.bytes_per_row, s.cpu_ns);
    }
  }
  std::printf("\n| %-44s | %-40s | %-6s |\n|%s|%s|%s|\n", "target", "measured", "met?", std::string(46, '-').c_str(),
              std::string(42, '-').c_str(), std::string(8, '-').c_str());
  auto target = [](const char* what, bool met, const std::string& detail) {
    std::printf("| %-44s | %-40s | %-6s |\n", what, detail.c_str(), met ? "met" : "MISSED");
  };
  target(">= 10 M rows/s", lab_rate >= 10e6, fmt::format("{:.2f} M rows/s", lab_rate / 1e6));
  target(">= 20 M rows/s, one writer (issue 15)", lab_rate >= 20e6, fmt::format("{:.2f} M rows/s", lab_rate / 1e6));
  target("CPU <= 55 ns per row (issue 15)", cpu_ns(table[0]) <= 55, fmt::format("{:.1f} ns", cpu_ns(table[0])));
  // By the logging thread's CPU (what Set by name adds; wall clock follows
  // it where the cores are free).
  auto caller_ns = [&](const Method& r) { return Median(r.caller_cpu) / dn * 1e9; };
  const double name_ratio = caller_ns(table[2]) / caller_ns(table[0]);
  target("Set(name) within 1.5x of Set(ColumnId)", name_ratio <= 1.5,
         fmt::format("{:.2f}x by CPU ({:.1f} vs {:.1f} ns), {:.2f}x wall", name_ratio, caller_ns(table[2]),
                     caller_ns(table[0]), lab_rate / rate(table[2])));
  const double scaling = Median(two_writers) / Median(one_writer);
  target("2 writer threads >= 0.8 x 2 = 1.6x one", scaling >= 1.6,
         fmt::format("{:.2f}x ({:.2f} M vs {:.2f} M rows/s)", scaling, Median(two_writers) / 1e6,
                     Median(one_writer) / 1e6));
  if (peers) {
    const Method &rocks = table[kPeer0], &sqlite = table[kPeer0 + 1], &jsonl = table[kPeer0 + 2];
    target(">= 5x RocksDB key per row", lab_rate / rate(rocks) >= 5, fmt::format("{:.2f}x", lab_rate / rate(rocks)));
    target(">= 15x SQLite", lab_rate / rate(sqlite) >= 15, fmt::format("{:.2f}x", lab_rate / rate(sqlite)));
    target(">= 1.5x JSON lines", lab_rate / rate(jsonl) >= 1.5, fmt::format("{:.2f}x", lab_rate / rate(jsonl)));
    double disk_ratio = Median(table[0].bytes) / Median(jsonl.bytes);
    target("disk <= 0.5x JSON lines", disk_ratio <= 0.5, fmt::format("{:.2f}x", disk_ratio));
  }
  target("read-back >= 50 M rows/s", read_rate >= 50e6,
         fmt::format("{:.1f} M rows/s fresh, {:.1f} M rows/s reused", read_rate / 1e6, reread_rate / 1e6));
  if (peers) {
    target("read-back >= 10x the best read peer", read_rate >= 10 * best_peer_read,
           fmt::format("{:.2f}x {} ({:.2f} M rows/s)", read_rate / best_peer_read, best_peer_name,
                       best_peer_read / 1e6));
  }
  // Flat: memory grows while RocksDB's records memtables fill (write_buffer_size
  // 64 MiB, up to two of them) and then stays; labstore's writer itself holds
  // two chunk buffers. Met when growth past 1 M rows stays within that budget.
  target("writer memory flat (memtables aside)", mem.rss_end <= mem.rss_1m + 144 * mib,
         fmt::format("+{:.1f} MiB at 1 M, +{:.1f} MiB at n/2, +{:.1f} MiB at n rows", mem.rss_1m / mib,
                     mem.rss_half / mib, mem.rss_end / mib));
  return 0;
}
