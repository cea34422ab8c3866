// Calls a ProgressCallback from any number of threads, one call at a time.
#ifndef LABSTORE_LIB_UTIL_PROGRESS_REPORTER_H_
#define LABSTORE_LIB_UTIL_PROGRESS_REPORTER_H_

#include <cstdint>
#include <mutex>

#include "labstore/progress.h"

namespace labstore::internal {

class ProgressReporter {
 public:
  // `callback` may be empty (then every call is a no-op); it must outlive this.
  ProgressReporter(const ProgressCallback& callback, const char* stage, uint64_t total)
      : callback_(callback), progress_{.stage = stage, .total = total} {}

  // Adds finished units and rows, then reports. Thread-safe.
  void Add(uint64_t done, uint64_t rows = 0) {
    if (!callback_) return;
    std::lock_guard<std::mutex> lock(mu_);
    progress_.done += done;
    progress_.rows += rows;
    callback_(progress_);
  }

  // Reports the stage complete (done = total when total is known).
  void Finish() {
    if (!callback_) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (progress_.total != 0) progress_.done = progress_.total;
    callback_(progress_);
  }

 private:
  const ProgressCallback& callback_;
  std::mutex mu_;
  Progress progress_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_PROGRESS_REPORTER_H_
