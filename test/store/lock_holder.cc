// Test helper: opens a store for writing, prints "ready", and holds it until
// stdin closes. Used to provoke Busy from a second process.
#include <cstdio>
#include <iostream>
#include <string>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lock_holder STORE_DIR\n");
    return 2;
  }
  auto store = labstore::Store::Open({}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto e = store->Create({.module = "holder", .config = R"({"n": 1})"});
  if (!e.ok()) return 1;
  std::printf("ready %s\n", e->id.c_str());
  std::fflush(stdout);
  std::string line;
  std::getline(std::cin, line);
  return store->Close().ok() ? 0 : 1;
}
