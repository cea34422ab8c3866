#include "peers_record.h"

#include <sqlite3.h>
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "bench_util.h"

namespace labstore::bench {

BenchRows::BenchRows(uint64_t n) : n_(n), loss_(kMask + 1), accuracy_(kMask + 1) {
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t i = 0; i <= kMask; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double noise = static_cast<double>(x >> 11) * 0x1.0p-53;  // [0, 1)
    double t = static_cast<double>(i) / static_cast<double>(kMask + 1);
    loss_[i] = 2.5 * std::exp(-3 * t) + 0.05 * noise;
    accuracy_[i] = 1 - loss_[i] / 3 + 0.01 * noise;
  }
}

int64_t NowMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

double ProcessCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

namespace {

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "record_bench: %s\n", what.c_str());
    std::exit(1);
  }
}

}  // namespace

PeerResult RunRocksDbPerRow(const BenchRows& rows, uint64_t n, const std::string& dir) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = 64u << 20;  // as labstore's records column family
  o.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  Check(rocksdb::DB::Open(o, dir, &raw).ok(), "cannot open RocksDB");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  rocksdb::WriteBatch batch;
  char key[8], value[64];
  auto start = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuSeconds();
  for (uint64_t i = 0; i < n; ++i) {
    for (int b = 0; b < 8; ++b) key[b] = static_cast<char>(i >> (56 - 8 * b));
    int64_t it = rows.iteration(i), ts = NowMicros();
    double l = rows.loss(i), a = rows.accuracy(i), r = rows.lr(i);
    std::string_view ph = rows.phase(i);
    std::memcpy(value, &ts, 8);
    std::memcpy(value + 8, &it, 8);
    std::memcpy(value + 16, &l, 8);
    std::memcpy(value + 24, &a, 8);
    std::memcpy(value + 32, &r, 8);
    value[40] = static_cast<char>(ph.size());
    std::memcpy(value + 41, ph.data(), ph.size());
    batch.Put(rocksdb::Slice(key, 8), rocksdb::Slice(value, 41 + ph.size()));
    if (batch.Count() == 1000 || i + 1 == n) {
      Check(db->Write(wo, &batch).ok(), "RocksDB write failed");
      batch.Clear();
    }
  }
  PeerResult r;
  r.seconds = SecondsSince(start);
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  Check(db->Close().ok(), "RocksDB close failed");
  db.reset();
  r.disk_bytes = DirectoryBytes(dir);
  return r;
}

PeerResult RunSqlite(const BenchRows& rows, uint64_t n, const std::string& dir) {
  sqlite3* db = nullptr;
  std::string path = dir + "/records.sqlite";
  Check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "cannot open SQLite");
  Check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE records (row INTEGER PRIMARY KEY, ts INTEGER, iteration INTEGER,"
                     " loss REAL, accuracy REAL, lr REAL, phase TEXT)",
                     nullptr, nullptr, nullptr) == SQLITE_OK,
        "cannot create the SQLite table");
  sqlite3_stmt* insert = nullptr;
  Check(sqlite3_prepare_v2(db, "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &insert, nullptr) == SQLITE_OK,
        "cannot prepare");
  auto start = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuSeconds();
  for (uint64_t i = 0; i < n; ++i) {
    if (i % 1000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    std::string_view ph = rows.phase(i);
    sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(i));
    sqlite3_bind_int64(insert, 2, NowMicros());
    sqlite3_bind_int64(insert, 3, rows.iteration(i));
    sqlite3_bind_double(insert, 4, rows.loss(i));
    sqlite3_bind_double(insert, 5, rows.accuracy(i));
    sqlite3_bind_double(insert, 6, rows.lr(i));
    sqlite3_bind_text(insert, 7, ph.data(), static_cast<int>(ph.size()), SQLITE_STATIC);
    Check(sqlite3_step(insert) == SQLITE_DONE, "SQLite insert failed");
    sqlite3_reset(insert);
    if (i % 1000 == 999 || i + 1 == n) Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK, "commit");
  }
  PeerResult r;
  r.seconds = SecondsSince(start);
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  sqlite3_finalize(insert);
  sqlite3_close(db);
  r.disk_bytes = DirectoryBytes(dir);
  return r;
}

PeerResult RunJsonLines(const BenchRows& rows, uint64_t n, const std::string& dir) {
  std::string path = dir + "/default.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  Check(f != nullptr, "cannot create " + path);
  fmt::memory_buffer buf;
  auto start = std::chrono::steady_clock::now();
  const double cpu0 = ProcessCpuSeconds();
  for (uint64_t i = 0; i < n; ++i) {
    buf.clear();
    fmt::format_to(std::back_inserter(buf),
                   "{{\"__timestamp\": {}, \"accuracy\": {}, \"iteration\": {}, \"loss\": {}, \"lr\": {}, \"phase\": \"{}\"}}\n",
                   NowMicros(), rows.accuracy(i), rows.iteration(i), rows.loss(i), rows.lr(i), rows.phase(i));
    std::fwrite(buf.data(), 1, buf.size(), f);
  }
  std::fflush(f);
  PeerResult r;
  r.seconds = SecondsSince(start);
  r.cpu_seconds = ProcessCpuSeconds() - cpu0;
  std::fclose(f);
  r.disk_bytes = DirectoryBytes(dir);
  return r;
}

}  // namespace labstore::bench
