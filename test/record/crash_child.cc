// crash_child STORE_DIR EXPERIMENT_ID SCOPE SIDE_FILE SEED
//
// Logs rows to a scope until it is killed: row n (its scope row number) is
// {n: n, x: n / 2.0, s: "row-<n>" every third row, j: [n, "<n>"] every seventh
// row}. After every Flush() it appends the writer's stored row count and "\n"
// to SIDE_FILE and fdatasyncs it. The parent (test/record/crash_test.cc)
// SIGKILLs it at a random moment and checks the store. The flush policy is
// drawn from SEED so that kills land in every phase of a chunk write.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "labstore/labstore.h"
#include "labstore/record.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: crash_child STORE_DIR EXPERIMENT_ID SCOPE SIDE_FILE SEED\n");
    return 2;
  }
  std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));
  auto store = labstore::Store::Open({.create_if_missing = false}, argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  labstore::RecordOptions options{
      .flush_rows = static_cast<uint32_t>(1 + rng() % 3000),
      .flush_interval_ms = static_cast<uint32_t>(rng() % 4 == 0 ? 0 : 1 + rng() % 50),
      .sync = rng() % 4 == 0,
      .compression = static_cast<labstore::Compression>(rng() % 3),
  };
  auto w = labstore::RecordWriter::Open(*store, argv[2], argv[3], options);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    return 1;
  }
  int side = ::open(argv[4], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (side < 0) return 1;
  labstore::ColumnId n_col = w->Column("n").value(), x_col = w->Column("x").value();
  const uint64_t flush_every = 1 + rng() % 20000;
  for (uint64_t n = w->accepted_rows();; ++n) {
    w->Set(n_col, static_cast<int64_t>(n));
    w->Set(x_col, static_cast<double>(n) / 2.0);
    if (n % 3 == 0) w->Set("s", "row-" + std::to_string(n));
    if (n % 7 == 0) w->Set("j", labstore::Json{"[" + std::to_string(n) + ", \"" + std::to_string(n) + "\"]"});
    labstore::Status s = w->Save();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.ToString().c_str());
      return 1;
    }
    if (n % flush_every == 0) {
      s = w->Flush();
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
      std::string line = std::to_string(w->stored_rows()) + "\n";
      if (::write(side, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
      ::fdatasync(side);
    }
  }
}
