// create_child STORE_DIR
//
// Opens STORE_DIR for writing, creating the store, then stores one experiment
// and closes the store. The parent (test/store/create_crash_test.cc) SIGKILLs
// it at a random moment, mostly while Store::Open creates the store. Exits 0
// when everything went through, 1 on an error (printed).
#include <cstdio>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: create_child STORE_DIR\n");
    return 2;
  }
  auto store = labstore::Store::Open({.create_if_missing = true}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto e = store->Create({.module = "created", .config = R"({"n": 1})"});
  if (!e.ok()) {
    std::fprintf(stderr, "%s\n", e.status().ToString().c_str());
    return 1;
  }
  labstore::Status s = store->Close();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
