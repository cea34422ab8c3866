// Imports a machinable storage folder into an existing store; the import
// crash suite (import_crash_test.cc) kills it at random moments.
//   import_child <store dir> <source dir>
#include <cstdio>

#include "labstore/import.h"
#include "labstore/store.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  auto store = labstore::Store::Open({.create_if_missing = false}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto report = labstore::Import(*store, argv[2]);
  if (!report.ok() || !report->failed.empty()) {
    std::fprintf(stderr, "%s\n", report.ok() ? report->ToString().c_str() : report.status().ToString().c_str());
    return 1;
  }
  return store->Close().ok() ? 0 : 1;
}
