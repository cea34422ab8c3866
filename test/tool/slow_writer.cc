// Test helper: creates an experiment, prints "ready <id>", then logs
// BATCHES batches of ROWS rows in scope "default" (row i has iteration = i),
// flushing and sleeping 100 ms after each, and finally marks it finished.
//   slow_writer STORE BATCHES ROWS
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "labstore/labstore.h"
#include "labstore/record.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: slow_writer STORE BATCHES ROWS\n");
    return 2;
  }
  auto store = labstore::Store::Open({}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto e = store->Create({.module = "slow_writer"});
  if (!e.ok()) return 1;
  auto w = labstore::RecordWriter::Open(*store, e->id, "default");
  if (!w.ok()) return 1;
  std::printf("ready %s\n", e->id.c_str());
  std::fflush(stdout);
  int batches = std::atoi(argv[2]), rows = std::atoi(argv[3]);
  int64_t i = 0;
  for (int b = 0; b < batches; ++b) {
    for (int r = 0; r < rows; ++r) {
      w->Set("iteration", i++);
      if (!w->Save().ok()) return 1;
    }
    if (!w->Flush().ok()) return 1;
    ::usleep(100000);
  }
  if (!w->Close().ok() || !store->MarkFinished(e->id).ok()) return 1;
  return store->Close().ok() ? 0 : 1;
}
