// labstore/progress.h — how far long work has come, for progress bars and logs.
//
// Export, Import and RunWriteBench take an optional callback in their options,
// CheckStore one as an argument; they call it as work advances: after each
// experiment (export, import, check) or each batch of rows (bench), and once
// at the end of each stage with done == total. The callback runs on one of the library's threads, never on
// two at once; it should return quickly (draw a bar, print a line), since the
// work waits for it. It must not call back into the same operation.
//
//   options.progress = [](const labstore::Progress& p) {
//     std::fprintf(stderr, "\r%s %llu/%llu", p.stage, (unsigned long long)p.done, (unsigned long long)p.total);
//   };
#ifndef LABSTORE_PROGRESS_H_
#define LABSTORE_PROGRESS_H_

#include <cstdint>
#include <functional>

namespace labstore {

struct Progress {
  // What is being done, a static string: "folders" and "sql" (Export),
  // "import" (Import), "check" (CheckStore), the method's name (RunWriteBench).
  const char* stage = "";
  uint64_t done = 0;   // units of this stage finished: experiments, or rows for the bench
  uint64_t total = 0;  // units in this stage; 0 when not known
  uint64_t rows = 0;   // record rows written so far in this stage
};

// Empty (the default): no reports.
using ProgressCallback = std::function<void(const Progress&)>;

}  // namespace labstore

#endif  // LABSTORE_PROGRESS_H_
