// Opening a store and refreshing a read-only handle, on a store of N experiments.
//
//   open_bench [--experiments 1000000] [--runs 7] [--store DIR] [--json]
//
// Creates N experiments in a fresh store (or uses the store at DIR, creating
// it when missing and keeping it), then times, `runs` times each (medians):
// a writer Open (closed in between), a read-only Open, Refresh of a reader
// when nothing changed, and Refresh after the writer stored one experiment
// (the reader must then find it). Targets (issue 15): writer Open <= 10 ms
// at 1 M experiments, Refresh <= 1 ms when little changed. Many writers
// (issue 12): a second writer's Open (it writes shards/1 and opens a view of
// the main database), and a writer's Refresh that adds that shard's view, then
// finds nothing changed.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "labstore/labstore.h"

namespace {

using labstore::bench::Quantile;
using labstore::bench::SecondsSince;

int Fail(const labstore::Status& s) {
  std::fprintf(stderr, "open_bench: %s\n", s.ToString().c_str());
  return 1;
}

labstore::ExperimentSpec SpecFor(size_t i) {
  return {.module = "estimate_gravity", .config = fmt::format(R"({{"run": {}, "tag": "open"}})", i),
          .project = "bench", .project_directory = "/tmp"};
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 1000000;
  int runs = 7;
  bool json = false;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--experiments" && i + 1 < argc) {
      n = std::stoull(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::stoi(argv[++i]);
    } else if (a == "--store" && i + 1 < argc) {
      keep = argv[++i];
    } else {
      std::fprintf(stderr, "usage: open_bench [--experiments N] [--runs R] [--store DIR] [--json]\n");
      return 2;
    }
  }
  labstore::bench::ScratchDir scratch("open");
  std::string path = keep.empty() ? scratch.path() + "/store" : keep;
  if (!std::filesystem::exists(path)) {
    auto store = labstore::Store::Open({}, path);
    if (!store.ok()) return Fail(store.status());
    for (size_t i = 0; i < n; ++i) {
      if (auto e = store->Create(SpecFor(i)); !e.ok()) return Fail(e.status());
    }
    if (auto s = store->Close(); !s.ok()) return Fail(s);
    if (!json) std::fprintf(stderr, "open_bench: %zu experiments created\n", n);
  }
  std::vector<double> writer_ms, reader_ms, same_ms, changed_ms, shard_ms, add_view_ms, writer_same_ms;
  for (int r = 0; r < runs; ++r) {
    auto start = std::chrono::steady_clock::now();
    auto writer = labstore::Store::Open({}, path);
    writer_ms.push_back(SecondsSince(start) * 1e3);
    if (!writer.ok()) return Fail(writer.status());
    start = std::chrono::steady_clock::now();
    auto reader = labstore::Store::Open({.read_only = true}, path);
    reader_ms.push_back(SecondsSince(start) * 1e3);
    if (!reader.ok()) return Fail(reader.status());
    start = std::chrono::steady_clock::now();
    if (auto s = reader->Refresh(); !s.ok()) return Fail(s);
    same_ms.push_back(SecondsSince(start) * 1e3);
    auto e = writer->Create(SpecFor(n + static_cast<size_t>(r) * 1000003));
    if (!e.ok()) return Fail(e.status());
    start = std::chrono::steady_clock::now();
    if (auto s = reader->Refresh(); !s.ok()) return Fail(s);
    changed_ms.push_back(SecondsSince(start) * 1e3);
    if (auto found = reader->Find(e->id); !found.ok()) return Fail(found.status());
    start = std::chrono::steady_clock::now();
    auto second = labstore::Store::Open({}, path);  // the main database is held: shards/1
    shard_ms.push_back(SecondsSince(start) * 1e3);
    if (!second.ok()) return Fail(second.status());
    start = std::chrono::steady_clock::now();
    if (auto s = writer->Refresh(); !s.ok()) return Fail(s);
    add_view_ms.push_back(SecondsSince(start) * 1e3);
    start = std::chrono::steady_clock::now();
    if (auto s = writer->Refresh(); !s.ok()) return Fail(s);
    writer_same_ms.push_back(SecondsSince(start) * 1e3);
    if (auto s = second->Close(); !s.ok()) return Fail(s);
    if (auto s = reader->Close(); !s.ok()) return Fail(s);
    if (auto s = writer->Close(); !s.ok()) return Fail(s);
  }
  double writer_open = Quantile(writer_ms, 0.5), reader_open = Quantile(reader_ms, 0.5);
  double refresh_same = Quantile(same_ms, 0.5), refresh_changed = Quantile(changed_ms, 0.5);
  double shard_open = Quantile(shard_ms, 0.5), add_view = Quantile(add_view_ms, 0.5);
  double writer_same = Quantile(writer_same_ms, 0.5);
  if (json) {
    std::printf("{\"experiments\": %zu, \"runs\": %d, \"writer_open_ms\": %.3f, \"reader_open_ms\": %.3f, "
                "\"refresh_unchanged_ms\": %.3f, \"refresh_one_new_ms\": %.3f, \"shard_writer_open_ms\": %.3f, "
                "\"writer_refresh_new_shard_ms\": %.3f, \"writer_refresh_unchanged_ms\": %.3f}\n",
                n, runs, writer_open, reader_open, refresh_same, refresh_changed, shard_open, add_view, writer_same);
    return 0;
  }
  std::printf("%zu experiments, medians of %d runs\n", n, runs);
  std::printf("  %-34s %10.3f ms\n", "writer Open", writer_open);
  std::printf("  %-34s %10.3f ms\n", "read-only Open", reader_open);
  std::printf("  %-34s %10.3f ms\n", "Refresh, nothing changed", refresh_same);
  std::printf("  %-34s %10.3f ms\n", "Refresh, one experiment stored", refresh_changed);
  std::printf("  %-34s %10.3f ms  (%.2fx writer Open)\n", "second writer Open (shards/1)", shard_open,
              shard_open / writer_open);
  std::printf("  %-34s %10.3f ms\n", "writer Refresh, a new shard", add_view);
  std::printf("  %-34s %10.3f ms\n", "writer Refresh, nothing changed", writer_same);
  std::printf("\ntargets:\n");
  auto target = [](const char* what, bool met, double ms) {
    std::printf("  %-36s %s  %.3f ms\n", what, met ? "met   " : "MISSED", ms);
  };
  target("writer Open <= 10 ms", writer_open <= 10, writer_open);
  target("Refresh <= 1 ms (nothing changed)", refresh_same <= 1, refresh_same);
  target("Refresh <= 1 ms (one experiment)", refresh_changed <= 1, refresh_changed);
  return 0;
}
