// The five-column row record_bench logs, and process CPU time.
#ifndef LABSTORE_BENCH_BENCH_ROWS_H_
#define LABSTORE_BENCH_BENCH_ROWS_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace labstore::bench {

// The five-column row of the benchmarks: iteration (int), loss, accuracy, lr
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

// CPU seconds (user + system) of this process, all threads.
double ProcessCpuSeconds();

}  // namespace labstore::bench

#endif  // LABSTORE_BENCH_BENCH_ROWS_H_
