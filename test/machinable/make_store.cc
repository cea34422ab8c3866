// Makes experiments the way a C++ program does (module + config, no
// version), exports them to machinable's layout and prints one line per
// experiment: `<id> <config JSON>`. Used by run.sh.
//   make_store STORE_DIR EXPORT_DIR
#include <cstdio>
#include <string>

#include "labstore/labstore.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: make_store STORE_DIR EXPORT_DIR\n");
    return 2;
  }
  auto store = labstore::Store::Open({.create_if_missing = true}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  // Every field of project/sim.py's Config set, none to its default, in
  // two key orders.
  const char* configs[] = {
      R"({"steps": 20, "lr": 0.5, "label": "fast"})",
      R"({"lr": 0.25, "steps": 30, "label": "x y"})",
  };
  for (const char* config : configs) {
    auto e = store->Create({.module = "sim", .config = config});
    if (!e.ok()) {
      std::fprintf(stderr, "%s\n", e.status().ToString().c_str());
      return 1;
    }
    std::printf("%s %s\n", e->id.c_str(), config);
  }
  auto stats = labstore::Export(*store, argv[2]);
  if (!stats.ok()) {
    std::fprintf(stderr, "%s\n", stats.status().ToString().c_str());
    return 1;
  }
  return 0;
}
