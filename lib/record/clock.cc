#include "record/clock.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace labstore::internal {
namespace {

bool InvariantTsc() {
#if defined(__x86_64__) && defined(__linux__)
  if (const char* env = std::getenv("LABSTORE_NO_TSC"); env != nullptr && *env != '\0' && *env != '0') return false;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos && line.find(" nonstop_tsc") != std::string::npos;
    }
  }
#endif
  return false;
}

double Calibrate() {
#if defined(__x86_64__)
  if (!InvariantTsc()) return 0;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC_RAW, &a);
  uint64_t t0 = __rdtsc();
  int64_t ns;
  do {
    clock_gettime(CLOCK_MONOTONIC_RAW, &b);
    ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
  } while (ns < 2000000);
  uint64_t ticks = __rdtsc() - t0;
  if (ticks < 1000) return 0;  // no usable counter
  return static_cast<double>(ns) / 1000.0 / static_cast<double>(ticks);
#else
  return 0;
#endif
}

}  // namespace

double TscMicrosPerTick() {
  static const double rate = Calibrate();
  return rate;
}

}  // namespace labstore::internal
