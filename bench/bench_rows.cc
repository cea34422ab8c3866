#include "bench_rows.h"

#include <sys/resource.h>

#include <cmath>

namespace labstore::bench {

BenchRows::BenchRows(uint64_t n) : n_(n), loss_(kMask + 1), accuracy_(kMask + 1) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t i = 0; i <= kMask; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double noise = static_cast<double>(x >> 11) * 0x1.0p-53;  // [0, 1)
    double t = static_cast<double>(i) / static_cast<double>(kMask + 1);
    loss_[i] = 2.5 * std::exp(-3 * t) + 0.05 * noise;
    accuracy_[i] = 1 - loss_[i] / 3 + 0.01 * noise;
  }
}

double ProcessCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

}  // namespace labstore::bench
