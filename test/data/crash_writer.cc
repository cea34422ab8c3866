// Test helper: opens the store in argv[1], streams argv[3] MiB into file
// argv[2] of a new experiment, prints the experiment id and kills itself with
// SIGKILL before Close — a writer that crashes mid-file.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "labstore/data.h"
#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  auto store = labstore::Store::Open({}, argv[1]);
  if (!store.ok()) return 1;
  auto e = store->Create({.module = "crash"});
  if (!e.ok()) return 1;
  auto w = labstore::FileWriter::Open(*store, e->id, argv[2]);
  if (!w.ok()) return 1;
  std::string block(1 << 20, 'c');
  for (int i = 0; i < std::atoi(argv[3]); ++i) {
    block[0] = static_cast<char>(i);
    if (!w->Append(block).ok()) return 1;
  }
  std::printf("%s\n", e->id.c_str());
  std::fflush(stdout);
  std::raise(SIGKILL);
  return 0;
}
