// A program outside the project that finds labstore through pkg-config.
#include <cstdio>
#include <string>

#include <labstore/labstore.h>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto store = labstore::Store::Open({}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  auto e = store->Create({.module = "consumer", .config = R"({"x": 1})"});
  if (!e.ok()) return 1;
  auto g = store->Get("consumer", R"({"x": 1.0})");
  if (!g.ok() || g->id != e->id) return 1;
  std::printf("consumer ok %s\n", e->id.c_str());
  return store->Close().ok() ? 0 : 1;
}
