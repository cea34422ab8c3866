// shard_child STORE_DIR MODULE
//
// Opens STORE_DIR for writing (creating it if needed; a second writer gets a
// shard), stores one experiment of MODULE with config {"n": 1}, marks it
// started, prints "ready <id>" and waits until its stdin closes; then closes
// the store. The parent (test/store/shards_test.cc) may SIGKILL it instead.
// Exits 0 when everything went through, 1 on an error (printed).
#include <cstdio>
#include <iostream>
#include <string>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: shard_child STORE_DIR MODULE\n");
    return 2;
  }
  auto store = labstore::Store::Open({.create_if_missing = true}, argv[1]);
  if (!store.ok()) {
    std::printf("error %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto e = store->Create({.module = argv[2], .config = R"({"n": 1})"});
  if (!e.ok() || !store->MarkStarted(e->id).ok()) {
    std::printf("error %s\n", e.status().ToString().c_str());
    return 1;
  }
  std::printf("ready %s\n", e->id.c_str());
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);
  return store->Close().ok() ? 0 : 1;
}
