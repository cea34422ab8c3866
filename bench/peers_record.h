// The alternatives a simulation would otherwise log rows with, for
// bench/record_bench.cc. Each writes the same rows (BenchRows) with a
// clock_gettime timestamp per row, as labstore does.
#ifndef LABSTORE_BENCH_PEERS_RECORD_H_
#define LABSTORE_BENCH_PEERS_RECORD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace labstore::bench {

// The five-column row of DESIGN.md: iteration (int), loss, accuracy, lr
// (doubles), phase (string), for row i of n.
class BenchRows {
 public:
  explicit BenchRows(uint64_t n);
  int64_t iteration(uint64_t i) const { return static_cast<int64_t>(i); }
  double loss(uint64_t i) const { return loss_[i & kMask]; }
  double accuracy(uint64_t i) const { return accuracy_[i & kMask]; }
  double lr(uint64_t i) const { return i < n_ / 2 ? 1e-3 : i < n_ * 3 / 4 ? 1e-4 : 1e-5; }
  std::string_view phase(uint64_t i) const { return i % 10 == 9 ? "validation" : "train"; }

 private:
  static constexpr uint64_t kMask = (1u << 20) - 1;
  uint64_t n_;
  std::vector<double> loss_, accuracy_;
};

int64_t NowMicros();

// CPU seconds (user + system) of this process, all threads.
double ProcessCpuSeconds();

struct PeerResult {
  double seconds = 0;      // wall clock of the logging
  double cpu_seconds = 0;  // process CPU over the same span, all threads
  uint64_t disk_bytes = 0;
};

// RocksDB, one key per row (8-byte big-endian row number), a packed binary
// value, WriteBatch of 1000 rows, WAL on, no sync.
PeerResult RunRocksDbPerRow(const BenchRows& rows, uint64_t n, const std::string& dir);
// SQLite in WAL mode (synchronous=NORMAL), typed table with an INTEGER
// PRIMARY KEY, a prepared INSERT, one transaction per 1000 rows.
PeerResult RunSqlite(const BenchRows& rows, uint64_t n, const std::string& dir);
// JSON lines: fmt::format_to into a buffer + fwrite per row, fflush at the end.
PeerResult RunJsonLines(const BenchRows& rows, uint64_t n, const std::string& dir);

}  // namespace labstore::bench

#endif  // LABSTORE_BENCH_PEERS_RECORD_H_
