// Data files: write and read throughput by file size, and the dedup saving.
//
//   data_bench [--quick] [--runs N] [--json]
//
// For each size (1 KiB, 1 MiB, 256 MiB; --quick drops 256 MiB) it writes
// distinct files of incompressible bytes into a fresh store until about
// 64 MiB (1 KiB: 16 MiB) are written — SaveFile for the small sizes, a
// FileWriter fed 1 MiB blocks for 256 MiB — then reopens the store and reads
// them back (LoadFile; FileReader in 1 MiB reads). MB/s = 10^6 bytes per
// second of file content; the best of --runs runs (default 3). Peak RSS is
// that of the whole process.
//
// Dedup: the same 1 MiB file saved in 1,000 experiments; compares the store's
// size on disk with the 1,000 MiB that machinable's folders would hold.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "labstore/data.h"
#include "labstore/labstore.h"
#include "util/return_if_error.h"

namespace {

using labstore::bench::SecondsSince;

struct Row {
  std::string label;
  uint64_t file_bytes = 0;
  uint64_t files = 0;
  double write_mb_s = 0;
  double read_mb_s = 0;
};

int Fail(const labstore::Status& s) {
  std::fprintf(stderr, "data_bench: %s\n", s.ToString().c_str());
  return 1;
}

// Incompressible bytes; block `i` of stream `seed`.
void Fill(std::string* block, uint64_t seed, uint64_t i) {
  uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ull ^ (i + 1) * 0xbf58476d1ce4e5b9ull;
  for (size_t j = 0; j + 8 <= block->size(); j += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::memcpy(block->data() + j, &x, 8);
  }
}

constexpr uint64_t kMiB = 1 << 20;

// One size: write then read `files` files of `size` bytes; fills write/read MB/s.
labstore::Status RunSize(uint64_t size, uint64_t files, Row* row) {
  labstore::bench::ScratchDir dir("data");
  std::string path = dir.path() + "/store";
  std::string id;
  std::string block(std::min(size, kMiB), '\0');
  // Contents generated before timing for the small sizes; the 256 MiB files
  // are generated block by block while writing (about 5 GB/s, noted in the doc).
  std::vector<std::string> contents;
  if (size <= kMiB) {
    for (uint64_t f = 0; f < files; ++f) {
      contents.emplace_back(size, '\0');
      Fill(&contents.back(), f, 0);
    }
  }
  {
    auto store = labstore::Store::Open({}, path);
    if (!store.ok()) return store.status();
    auto e = store->Create({.module = "bench"});
    if (!e.ok()) return e.status();
    id = e->id;
    auto start = std::chrono::steady_clock::now();
    for (uint64_t f = 0; f < files; ++f) {
      std::string name = fmt::format("data/f{}.bin", f);
      if (size <= kMiB) {
        LABSTORE_RETURN_IF_ERROR(labstore::SaveFile(*store, id, name, contents[f]));
        continue;
      }
      auto w = labstore::FileWriter::Open(*store, id, name);
      if (!w.ok()) return w.status();
      for (uint64_t b = 0; b < size / kMiB; ++b) {
        Fill(&block, f, b);
        LABSTORE_RETURN_IF_ERROR(w->Append(block));
      }
      LABSTORE_RETURN_IF_ERROR(w->Close());
    }
    LABSTORE_RETURN_IF_ERROR(store->Close());  // includes flushing what is still in memory
    row->write_mb_s = static_cast<double>(size * files) / SecondsSince(start) / 1e6;
  }
  auto store = labstore::Store::Open({}, path);
  if (!store.ok()) return store.status();
  uint64_t total = 0;
  auto start = std::chrono::steady_clock::now();
  for (uint64_t f = 0; f < files; ++f) {
    std::string name = fmt::format("data/f{}.bin", f);
    if (size <= kMiB) {
      auto bytes = labstore::LoadFile(*store, id, name);
      if (!bytes.ok()) return bytes.status();
      total += bytes->size();
      continue;
    }
    auto r = labstore::FileReader::Open(*store, id, name);
    if (!r.ok()) return r.status();
    block.resize(kMiB);
    while (true) {
      auto n = r->Read(block);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      total += *n;
    }
  }
  row->read_mb_s = static_cast<double>(total) / SecondsSince(start) / 1e6;
  if (total != size * files) return labstore::Status::Corruption("read back a different number of bytes");
  return labstore::Status::OK();
}

struct Dedup {
  uint64_t experiments = 1000;
  uint64_t logical_bytes = 0;
  uint64_t store_bytes = 0;       // the store with the 1,000 files
  uint64_t empty_store_bytes = 0; // the same store with the experiments and no files
  double write_mb_s = 0;          // logical MB/s of the 1,000 saves
};

labstore::Status RunDedup(Dedup* d) {
  std::string content(kMiB, '\0');
  Fill(&content, 12345, 0);
  for (int with_files = 0; with_files < 2; ++with_files) {
    labstore::bench::ScratchDir dir("dedup");
    std::string path = dir.path() + "/store";
    auto store = labstore::Store::Open({}, path);
    if (!store.ok()) return store.status();
    double seconds = 0;
    for (uint64_t i = 0; i < d->experiments; ++i) {
      auto e = store->Create({.module = "bench", .config = fmt::format(R"({{"seed": {}}})", i)});
      if (!e.ok()) return e.status();
      if (!with_files) continue;
      auto start = std::chrono::steady_clock::now();
      LABSTORE_RETURN_IF_ERROR(labstore::SaveFile(*store, e->id, "data/weights.bin", content));
      seconds += SecondsSince(start);
    }
    LABSTORE_RETURN_IF_ERROR(store->Close());
    uint64_t bytes = labstore::bench::DirectoryBytes(path);
    if (with_files) {
      d->store_bytes = bytes;
      d->logical_bytes = d->experiments * kMiB;
      d->write_mb_s = static_cast<double>(d->logical_bytes) / seconds / 1e6;
    } else {
      d->empty_store_bytes = bytes;
    }
  }
  return labstore::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false, quick = false;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: data_bench [--quick] [--runs N] [--json]\n");
      return 2;
    }
  }
  struct Size {
    const char* label;
    uint64_t bytes, files;
  };
  std::vector<Size> sizes = {{"1 KiB", 1024, 16384}, {"1 MiB", kMiB, 64}, {"256 MiB", 256 * kMiB, 2}};
  if (quick) sizes.pop_back();
  std::vector<Row> rows;
  for (const Size& s : sizes) {
    Row best{s.label, s.bytes, s.files};
    for (int r = 0; r < runs; ++r) {
      Row row = best;
      if (auto st = RunSize(s.bytes, s.files, &row); !st.ok()) return Fail(st);
      best.write_mb_s = std::max(best.write_mb_s, row.write_mb_s);
      best.read_mb_s = std::max(best.read_mb_s, row.read_mb_s);
    }
    rows.push_back(best);
    if (!json) std::fprintf(stderr, "data_bench: %s done\n", s.label);
  }
  Dedup dedup;
  if (auto st = RunDedup(&dedup); !st.ok()) return Fail(st);
  uint64_t file_bytes_on_disk = dedup.store_bytes - std::min(dedup.store_bytes, dedup.empty_store_bytes);
  double saving = 1.0 - static_cast<double>(file_bytes_on_disk) / static_cast<double>(dedup.logical_bytes);
  uint64_t peak = labstore::bench::PeakRssBytes();

  if (json) {
    std::printf("{\"sizes\": [");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::printf("%s{\"file_bytes\": %llu, \"files\": %llu, \"write_mb_s\": %.1f, \"read_mb_s\": %.1f}", i ? ", " : "",
                  static_cast<unsigned long long>(r.file_bytes), static_cast<unsigned long long>(r.files),
                  r.write_mb_s, r.read_mb_s);
    }
    std::printf("], \"dedup\": {\"experiments\": %llu, \"logical_bytes\": %llu, \"file_bytes_on_disk\": %llu, "
                "\"saving\": %.4f, \"write_mb_s\": %.1f}, \"peak_rss_bytes\": %llu}\n",
                static_cast<unsigned long long>(dedup.experiments),
                static_cast<unsigned long long>(dedup.logical_bytes),
                static_cast<unsigned long long>(file_bytes_on_disk), saving, dedup.write_mb_s,
                static_cast<unsigned long long>(peak));
    return 0;
  }
  std::printf("%10s %8s %14s %13s\n", "file size", "files", "write MB/s", "read MB/s");
  for (const Row& r : rows) {
    std::printf("%10s %8llu %14.1f %13.1f\n", r.label.c_str(), static_cast<unsigned long long>(r.files), r.write_mb_s,
                r.read_mb_s);
  }
  std::printf("\ndedup: the same 1 MiB file in %llu experiments = %.0f MiB logical, %.2f MiB on disk "
              "(saving %.2f%%), saved at %.0f MB/s logical\n",
              static_cast<unsigned long long>(dedup.experiments), static_cast<double>(dedup.logical_bytes) / kMiB,
              static_cast<double>(file_bytes_on_disk) / kMiB, saving * 100, dedup.write_mb_s);
  std::printf("peak RSS of the process: %.0f MiB\n", static_cast<double>(peak) / kMiB);
  return 0;
}
