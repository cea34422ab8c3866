// Experiment creation rate and Get(module, config) latency at several store sizes.
//
//   get_bench [--sizes 1000,100000,1000000] [--lookups 20000] [--store DIR] [--json]
//
// For each size N it creates N experiments with distinct configs in a fresh
// store (timing the creation rate), reopens the store (cold block cache, warm
// OS cache), then times `lookups` Get calls for random stored configs and
// reports median and p99 latency. With --store (one size only) the store at
// DIR is kept, and reused without creating when it exists (create rate 0).
// Targets (issue 15): Get median <= 3 us and p99 <= 10 us, create >= 100 k/s,
// all flat in N.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "labstore/labstore.h"

namespace {

using labstore::bench::Quantile;
using labstore::bench::SecondsSince;

std::string ConfigFor(size_t i) {
  return fmt::format(R"({{"time_dilation": {}.5, "verbose": true, "run": {}, "tag": "sweep"}})", i % 97, i);
}

struct Row {
  size_t size = 0;
  double create_per_s = 0;
  double median_us = 0;
  double p99_us = 0;
  double miss_median_us = 0;
};

int Fail(const labstore::Status& s) {
  std::fprintf(stderr, "get_bench: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<size_t> sizes = {1000, 100000, 1000000};
  size_t lookups = 20000;
  bool json = false;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      for (char* t = std::strtok(argv[++i], ","); t; t = std::strtok(nullptr, ",")) sizes.push_back(std::stoull(t));
    } else if (a == "--store" && i + 1 < argc) {
      keep = argv[++i];
    } else if (a == "--lookups" && i + 1 < argc) {
      lookups = std::stoull(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: get_bench [--sizes N,N,...] [--lookups N] [--store DIR] [--json]\n");
      return 2;
    }
  }
  if (!keep.empty() && sizes.size() != 1) {
    std::fprintf(stderr, "get_bench: --store takes one size\n");
    return 2;
  }
  std::vector<Row> rows;
  for (size_t n : sizes) {
    labstore::bench::ScratchDir dir("get");
    std::string path = keep.empty() ? dir.path() + "/store" : keep;
    Row row;
    row.size = n;
    if (keep.empty() || !std::filesystem::exists(keep)) {
      auto store = labstore::Store::Open({}, path);
      if (!store.ok()) return Fail(store.status());
      auto start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < n; ++i) {
        auto e = store->Create({.module = "estimate_gravity", .config = ConfigFor(i), .project = "bench",
                                .project_directory = "/tmp"});
        if (!e.ok()) return Fail(e.status());
      }
      row.create_per_s = static_cast<double>(n) / SecondsSince(start);
      if (auto s = store->Close(); !s.ok()) return Fail(s);
    }
    auto store = labstore::Store::Open({}, path);
    if (!store.ok()) return Fail(store.status());
    std::mt19937_64 rng(42);
    std::vector<double> hit, miss;
    for (size_t i = 0; i < lookups; ++i) {
      size_t k = rng() % n;
      std::string config = ConfigFor(k);
      auto start = std::chrono::steady_clock::now();
      auto e = store->Get("estimate_gravity", config);
      double us = SecondsSince(start) * 1e6;
      if (!e.ok()) return Fail(e.status());
      if (!e->stored) return Fail(labstore::Status::Corruption("stored config not found", config));
      hit.push_back(us);
      if (i % 10 == 0) {
        std::string absent = ConfigFor(n + k);
        start = std::chrono::steady_clock::now();
        auto m = store->Get("estimate_gravity", absent);
        miss.push_back(SecondsSince(start) * 1e6);
        if (!m.ok() || m->stored) return Fail(labstore::Status::Corruption("absent config found", absent));
      }
    }
    row.median_us = Quantile(hit, 0.5);
    row.p99_us = Quantile(hit, 0.99);
    row.miss_median_us = Quantile(miss, 0.5);
    rows.push_back(row);
    if (!json) std::fprintf(stderr, "get_bench: %zu experiments done\n", n);
  }
  if (json) {
    std::printf("[");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("%s{\"experiments\": %zu, \"create_per_s\": %.0f, \"get_median_us\": %.2f, \"get_p99_us\": %.2f, "
                  "\"get_new_median_us\": %.2f}",
                  i ? ", " : "", r.size, r.create_per_s, r.median_us, r.p99_us, r.miss_median_us);
    }
    std::printf("]\n");
    return 0;
  }
  std::printf("%12s %14s %16s %13s %20s\n", "experiments", "create/s", "Get median us", "Get p99 us",
              "Get (new) median us");
  for (const Row& r : rows) {
    std::printf("%12zu %14.0f %16.2f %13.2f %20.2f\n", r.size, r.create_per_s, r.median_us, r.p99_us, r.miss_median_us);
  }
  std::printf("\ntargets:\n");
  auto target = [](const std::string& what, bool met, const std::string& detail) {
    std::printf("  %-36s %s  %s\n", what.c_str(), met ? "met   " : "MISSED", detail.c_str());
  };
  for (const Row& r : rows) {
    target(fmt::format("Get median <= 3 us at {}", r.size), r.median_us <= 3, fmt::format("{:.2f} us", r.median_us));
    target(fmt::format("Get p99 <= 10 us at {}", r.size), r.p99_us <= 10, fmt::format("{:.2f} us", r.p99_us));
    if (r.create_per_s > 0) {
      target(fmt::format("create >= 100 k/s at {}", r.size), r.create_per_s >= 100e3,
             fmt::format("{:.1f} k/s", r.create_per_s / 1e3));
    }
  }
  return 0;
}
