// The clock that stamps rows. Private to lib/record.
//
// clock_gettime(CLOCK_REALTIME) costs about 20 ns in a VM, a third of what a
// row may cost at 10 M rows/s. Where the CPU's time-stamp counter is
// invariant (x86-64 with constant_tsc and nonstop_tsc in /proc/cpuinfo) a
// RowClock reads the TSC instead (a few ns) and converts ticks to
// microseconds from an anchor that it takes again from CLOCK_REALTIME every
// millisecond; the rate is calibrated once per process (about 2 ms). Between
// anchors the error stays below a microsecond. Elsewhere it calls
// clock_gettime for every row.
#ifndef LABSTORE_LIB_RECORD_CLOCK_H_
#define LABSTORE_LIB_RECORD_CLOCK_H_

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace labstore::internal {

inline int64_t RealtimeMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

// Microseconds per TSC tick, or 0 when the TSC must not be used.
double TscMicrosPerTick();

class RowClock {
 public:
  RowClock() : us_per_tick_(TscMicrosPerTick()) {
    if (us_per_tick_ > 0) reanchor_ticks_ = static_cast<uint64_t>(1000.0 / us_per_tick_);
  }

  int64_t NowMicros() {
#if defined(__x86_64__)
    if (us_per_tick_ > 0) [[likely]] {
      uint64_t t = __rdtsc();
      if (t - anchor_tsc_ >= reanchor_ticks_) [[unlikely]] return Reanchor();
      return anchor_us_ + static_cast<int64_t>(static_cast<double>(t - anchor_tsc_) * us_per_tick_);
    }
#endif
    return RealtimeMicros();
  }

  bool uses_tsc() const { return us_per_tick_ > 0; }

 private:
  int64_t Reanchor() {
#if defined(__x86_64__)
    anchor_us_ = RealtimeMicros();
    anchor_tsc_ = __rdtsc();
#endif
    return anchor_us_;
  }

  double us_per_tick_ = 0;
  uint64_t reanchor_ticks_ = 0;
  uint64_t anchor_tsc_ = 0;
  int64_t anchor_us_ = 0;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_CLOCK_H_
