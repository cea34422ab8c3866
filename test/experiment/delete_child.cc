// Test helper: opens the store in argv[1] and deletes experiment argv[2] with
// its derived experiments; the parent kills it with SIGKILL at a random moment.
// Exit 0 when the delete returned OK, 1 otherwise.
#include <cstdio>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  auto store = labstore::Store::Open({.create_if_missing = false}, argv[1]);
  if (!store.ok()) return 1;
  auto gone = store->Delete(argv[2], {.derived = true});
  if (!gone.ok()) {
    std::fprintf(stderr, "%s\n", gone.status().ToString().c_str());
    return 1;
  }
  return store->Close().ok() ? 0 : 1;
}
