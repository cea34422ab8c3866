// Exports a store (opened read-only) into a destination; the export suite
// kills it at various moments to test crash safety.
//   export_child <store dir> <dest>
#include <cstdio>

#include "labstore/export.h"
#include "labstore/store.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  auto store = labstore::Store::Open({.read_only = true}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto stats = labstore::Export(*store, argv[2]);
  if (!stats.ok()) {
    std::fprintf(stderr, "%s\n", stats.status().ToString().c_str());
    return 1;
  }
  return 0;
}
