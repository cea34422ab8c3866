// RunWriteBench (bench/write_bench.h): labstore and its peers logging the same rows.
#include "bench/write_bench.h"

#include <sqlite3.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "labstore/labstore.h"
#include "labstore/record.h"
#include "bench/read_back.h"
#include "util/progress_reporter.h"
#include "util/return_if_error.h"

namespace labstore {
using internal::ProgressReporter;

namespace {

constexpr uint64_t kMask = (1u << 16) - 1;

// The rows every method logs: int column c of row i is i + c; float column c
// a noisy decaying curve; string column c one of ten strings of the given
// length, picked by (i + c) % 10.
class Rows {
 public:
  explicit Rows(const WriteBenchOptions& o) : o_(o), floats_(kMask + 1) {
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (uint64_t i = 0; i <= kMask; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      double noise = static_cast<double>(x >> 11) * 0x1.0p-53;
      floats_[i] = 2.5 * std::exp(-3 * static_cast<double>(i) / (kMask + 1)) + 0.05 * noise;
    }
    for (int k = 0; k < 10; ++k) {
      std::string s(o.string_length, 'a' + k);
      if (!s.empty()) s[0] = static_cast<char>('0' + k);
      strings_.push_back(std::move(s));
    }
  }
  int64_t Int(uint64_t i, uint32_t c) const { return static_cast<int64_t>(i + c); }
  double Float(uint64_t i, uint32_t c) const { return floats_[(i + 7919 * c) & kMask]; }
  const std::string& String(uint64_t i, uint32_t c) const { return strings_[(i + c) % 10]; }
  const WriteBenchOptions& o() const { return o_; }

 private:
  const WriteBenchOptions& o_;
  std::vector<double> floats_;
  std::vector<std::string> strings_;
};

int64_t NowMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

// CPU seconds (user + system) of this process, all threads.
double ProcessCpuSeconds() {
  struct rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

struct Measured {
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t bytes = 0;
};

// Wall clock and process CPU from construction to Stop.
class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()), cpu_start_(ProcessCpuSeconds()) {}
  void Stop(Measured* m) const {
    m->seconds = SecondsSince(start_);
    m->cpu_seconds = ProcessCpuSeconds() - cpu_start_;
  }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

// Rows between progress reports: a power of two, so the check is one mask.
constexpr uint64_t kReportRows = 1u << 16;
inline bool ReportDue(uint64_t done) { return done != 0 && (done & (kReportRows - 1)) == 0; }

Status RunLabstore(const Rows& rows, const std::string& dir, ProgressReporter* progress, Measured* m) {
  const WriteBenchOptions& o = rows.o();
  auto store = Store::Open({}, dir);
  if (!store.ok()) return store.status();
  std::vector<std::string> ids;
  for (uint32_t t = 0; t < o.threads; ++t) {
    auto e = store->Create({.module = "labstore_bench"});
    if (!e.ok()) return e.status();
    ids.push_back(e->id);
  }
  RecordOptions ro{.flush_rows = o.flush_rows, .flush_interval_ms = o.flush_interval_ms,
                   .sync = o.durability == BenchDurability::kSync,
                   .disable_wal = o.durability == BenchDurability::kNoWal};
  std::vector<Status> status(o.threads);
  Timer timer;
  auto work = [&](uint32_t t) {
    const uint64_t first = o.rows * t / o.threads, end = o.rows * (t + 1) / o.threads;
    auto w = RecordWriter::Open(*store, ids[t], "default", ro);
    if (!w.ok()) {
      status[t] = w.status();
      return;
    }
    std::vector<ColumnId> ints, floats, strings;
    for (uint32_t c = 0; c < o.int_columns; ++c) ints.push_back(w->Column(fmt::format("i{}", c)).value());
    for (uint32_t c = 0; c < o.float_columns; ++c) floats.push_back(w->Column(fmt::format("f{}", c)).value());
    for (uint32_t c = 0; c < o.string_columns; ++c) strings.push_back(w->Column(fmt::format("s{}", c)).value());
    for (uint64_t i = first; i < end; ++i) {
      for (uint32_t c = 0; c < ints.size(); ++c) w->Set(ints[c], rows.Int(i, c));
      for (uint32_t c = 0; c < floats.size(); ++c) w->Set(floats[c], rows.Float(i, c));
      for (uint32_t c = 0; c < strings.size(); ++c) w->Set(strings[c], std::string_view(rows.String(i, c)));
      Status s = w->Save();
      if (!s.ok()) {
        status[t] = s;
        return;
      }
      if (ReportDue(i + 1 - first)) progress->Add(kReportRows, kReportRows);
    }
    status[t] = w->Close();
  };
  if (o.threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < o.threads; ++t) threads.emplace_back(work, t);
    for (auto& th : threads) th.join();
  }
  timer.Stop(m);
  for (const Status& s : status) LABSTORE_RETURN_IF_ERROR(s);
  LABSTORE_RETURN_IF_ERROR(store->Close());
  m->bytes = DirectoryBytes(dir);
  return Status::OK();
}

Status RunRocksDb(const Rows& rows, const std::string& dir, ProgressReporter* progress, Measured* m) {
  const WriteBenchOptions& o = rows.o();
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.write_buffer_size = 64u << 20;  // as labstore's records column family
  opts.IncreaseParallelism(2);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs = rocksdb::DB::Open(opts, dir, &raw);
  if (!rs.ok()) return Status::IOError("cannot open RocksDB", rs.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = o.durability == BenchDurability::kSync;
  wo.disableWAL = o.durability == BenchDurability::kNoWal;
  rocksdb::WriteBatch batch;
  char key[8];
  std::string value;
  Timer timer;
  for (uint64_t i = 0; i < o.rows; ++i) {
    if (ReportDue(i)) progress->Add(kReportRows, kReportRows);
    for (int b = 0; b < 8; ++b) key[b] = static_cast<char>(i >> (56 - 8 * b));
    value.clear();
    int64_t ts = NowMicros();
    value.append(reinterpret_cast<const char*>(&ts), 8);
    for (uint32_t c = 0; c < o.int_columns; ++c) {
      int64_t v = rows.Int(i, c);
      value.append(reinterpret_cast<const char*>(&v), 8);
    }
    for (uint32_t c = 0; c < o.float_columns; ++c) {
      double v = rows.Float(i, c);
      value.append(reinterpret_cast<const char*>(&v), 8);
    }
    for (uint32_t c = 0; c < o.string_columns; ++c) {
      const std::string& s = rows.String(i, c);
      uint32_t len = static_cast<uint32_t>(s.size());
      value.append(reinterpret_cast<const char*>(&len), 4);
      value += s;
    }
    batch.Put(rocksdb::Slice(key, 8), value);
    if (batch.Count() == 1000 || i + 1 == o.rows) {
      rs = db->Write(wo, &batch);
      if (!rs.ok()) return Status::IOError("RocksDB write failed", rs.ToString());
      batch.Clear();
    }
  }
  timer.Stop(m);
  rs = db->Close();
  if (!rs.ok()) return Status::IOError("RocksDB close failed", rs.ToString());
  db.reset();
  m->bytes = DirectoryBytes(dir);
  return Status::OK();
}

Status RunSqlite(const Rows& rows, const std::string& dir, ProgressReporter* progress, Measured* m) {
  const WriteBenchOptions& o = rows.o();
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  std::string path = dir + "/records.sqlite";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::IOError("cannot open SQLite", path);
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> guard(db, sqlite3_close);
  const char* sync = o.durability == BenchDurability::kSync    ? "FULL"
                     : o.durability == BenchDurability::kNoWal ? "OFF"
                                                               : "NORMAL";
  std::string create = fmt::format("PRAGMA journal_mode=WAL; PRAGMA synchronous={};"
                                   "CREATE TABLE records (row INTEGER PRIMARY KEY, ts INTEGER", sync);
  std::string insert_sql = "INSERT INTO records VALUES (?, ?";
  for (uint32_t c = 0; c < o.int_columns; ++c) create += fmt::format(", i{} INTEGER", c), insert_sql += ", ?";
  for (uint32_t c = 0; c < o.float_columns; ++c) create += fmt::format(", f{} REAL", c), insert_sql += ", ?";
  for (uint32_t c = 0; c < o.string_columns; ++c) create += fmt::format(", s{} TEXT", c), insert_sql += ", ?";
  create += ")";
  insert_sql += ")";
  if (sqlite3_exec(db, create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Status::IOError("cannot create the SQLite table", sqlite3_errmsg(db));
  }
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db, insert_sql.c_str(), -1, &insert, nullptr) != SQLITE_OK) {
    return Status::IOError("cannot prepare the SQLite insert", sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> insert_guard(insert, sqlite3_finalize);
  Timer timer;
  for (uint64_t i = 0; i < o.rows; ++i) {
    if (ReportDue(i)) progress->Add(kReportRows, kReportRows);
    if (i % 1000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    int p = 1;
    sqlite3_bind_int64(insert, p++, static_cast<sqlite3_int64>(i));
    sqlite3_bind_int64(insert, p++, NowMicros());
    for (uint32_t c = 0; c < o.int_columns; ++c) sqlite3_bind_int64(insert, p++, rows.Int(i, c));
    for (uint32_t c = 0; c < o.float_columns; ++c) sqlite3_bind_double(insert, p++, rows.Float(i, c));
    for (uint32_t c = 0; c < o.string_columns; ++c) {
      const std::string& s = rows.String(i, c);
      sqlite3_bind_text(insert, p++, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    }
    if (sqlite3_step(insert) != SQLITE_DONE) return Status::IOError("SQLite insert failed", sqlite3_errmsg(db));
    sqlite3_reset(insert);
    if (i % 1000 == 999 || i + 1 == o.rows) {
      if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        return Status::IOError("SQLite commit failed", sqlite3_errmsg(db));
      }
    }
  }
  timer.Stop(m);
  insert_guard.reset();
  guard.reset();
  m->bytes = DirectoryBytes(dir);
  return Status::OK();
}

Status RunJsonLines(const Rows& rows, const std::string& dir, ProgressReporter* progress, Measured* m) {
  const WriteBenchOptions& o = rows.o();
  std::filesystem::create_directories(dir);
  std::string path = dir + "/default.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IOError("cannot create", path);
  // As a careful user would write it: keys prepared once, numbers by fmt's
  // compiled formats (shortest round-trip doubles), one fwrite per row.
  std::vector<std::string> float_keys, int_keys, string_keys;
  for (uint32_t c = 0; c < o.float_columns; ++c) float_keys.push_back(fmt::format(", \"f{}\": ", c));
  for (uint32_t c = 0; c < o.int_columns; ++c) int_keys.push_back(fmt::format(", \"i{}\": ", c));
  for (uint32_t c = 0; c < o.string_columns; ++c) string_keys.push_back(fmt::format(", \"s{}\": \"", c));
  fmt::memory_buffer buf;
  Timer timer;
  for (uint64_t i = 0; i < o.rows; ++i) {
    if (ReportDue(i)) progress->Add(kReportRows, kReportRows);
    buf.clear();
    auto out = std::back_inserter(buf);
    buf.append(std::string_view("{\"__timestamp\": "));
    fmt::format_to(out, FMT_COMPILE("{}"), NowMicros());
    for (uint32_t c = 0; c < o.float_columns; ++c) {
      buf.append(float_keys[c]);
      fmt::format_to(out, FMT_COMPILE("{}"), rows.Float(i, c));
    }
    for (uint32_t c = 0; c < o.int_columns; ++c) {
      buf.append(int_keys[c]);
      fmt::format_to(out, FMT_COMPILE("{}"), rows.Int(i, c));
    }
    for (uint32_t c = 0; c < o.string_columns; ++c) {
      buf.append(string_keys[c]);
      buf.append(rows.String(i, c));
      buf.push_back('"');
    }
    buf.append(std::string_view("}\n"));
    std::fwrite(buf.data(), 1, buf.size(), f);
  }
  bool ok = std::fflush(f) == 0;
  if (ok && o.durability == BenchDurability::kSync) ok = ::fsync(fileno(f)) == 0;
  timer.Stop(m);
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return Status::IOError("cannot write", path);
  m->bytes = DirectoryBytes(dir);
  return Status::OK();
}

}  // namespace

const char* BenchDurabilityName(BenchDurability d) {
  switch (d) {
    case BenchDurability::kSync: return "sync";
    case BenchDurability::kNoWal: return "nowal";
    default: return "default";
  }
}

bool ParseBenchDurability(const std::string& name, BenchDurability* out) {
  if (name == "default") *out = BenchDurability::kDefault;
  else if (name == "sync") *out = BenchDurability::kSync;
  else if (name == "nowal") *out = BenchDurability::kNoWal;
  else return false;
  return true;
}

Result<std::vector<WriteBenchResult>> RunWriteBench(const WriteBenchOptions& o) {
  if (o.rows == 0) return Status::InvalidArgument("invalid rows 0", "it must be at least 1");
  if (o.threads == 0 || o.threads > 256) {
    return Status::InvalidArgument(fmt::format("invalid threads {}", o.threads), "it must be in 1..256");
  }
  if (o.rows < o.threads) {
    return Status::InvalidArgument(fmt::format("rows {} fewer than threads {}", o.rows, o.threads));
  }
  const uint64_t columns = uint64_t{o.int_columns} + o.float_columns + o.string_columns;
  if (columns == 0 || columns > 1000) {
    return Status::InvalidArgument(fmt::format("invalid row shape: {} columns", columns), "it must be 1..1000 columns");
  }
  if (o.string_length > 65536) {
    return Status::InvalidArgument(fmt::format("invalid string length {}", o.string_length),
                                   "it must be at most 65536");
  }
  if (o.flush_rows == 0 || o.flush_rows > (1u << 20)) {
    return Status::InvalidArgument(fmt::format("invalid flush rows {}", o.flush_rows), "it must be in 1..1048576");
  }
  if (static_cast<uint8_t>(o.durability) > 2) return Status::InvalidArgument("invalid durability");

  std::error_code ec;
  std::string base = o.dir;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::filesystem::create_directories(base, ec);
  std::string tmpl = base + "/labstore-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::IOError("cannot make a scratch folder in", base);
  struct Remove {
    std::string path;
    ~Remove() {
      std::error_code e;
      std::filesystem::remove_all(path, e);
    }
  } remove{tmpl};

  Rows rows(o);
  std::vector<WriteBenchResult> results;
  auto add = [&](const char* name, const Measured& m) {
    WriteBenchResult r;
    r.name = name;
    r.seconds = m.seconds;
    r.cpu_seconds = m.cpu_seconds;
    const double secs = m.seconds > 0 ? m.seconds : 1e-9;
    r.rows_per_s = static_cast<double>(o.rows) / secs;
    r.mb_per_s = static_cast<double>(m.bytes) / (1024.0 * 1024.0) / secs;
    r.bytes_per_row = static_cast<double>(m.bytes) / static_cast<double>(o.rows);
    r.ratio_to_labstore = results.empty() ? 1.0 : results[0].rows_per_s / r.rows_per_s;
    results.push_back(r);
  };
  using Method = Status (*)(const Rows&, const std::string&, ProgressReporter*, Measured*);
  using ReadBack = Result<double> (*)(const WriteBenchOptions&, const std::string&);
  struct Named {
    const char* name;
    const char* folder;
    Method run;
    ReadBack read;
  };
  std::vector<Named> methods = {{"labstore", "labstore", RunLabstore, internal::ReadBackLabstore}};
  if (o.peers) {
    methods.push_back({"RocksDB key per row", "rocksdb", RunRocksDb, internal::ReadBackRocksDb});
    methods.push_back({"SQLite WAL", "sqlite", RunSqlite, internal::ReadBackSqlite});
    methods.push_back({"JSON lines", "jsonl", RunJsonLines, internal::ReadBackJsonLines});
  }
  for (const Named& method : methods) {
    Measured m;
    ProgressReporter progress(o.progress, method.name, o.rows);
    LABSTORE_RETURN_IF_ERROR(method.run(rows, tmpl + "/" + method.folder, &progress, &m));
    progress.Finish();
    add(method.name, m);
    if (o.read_back) {
      auto seconds = method.read(o, tmpl + "/" + method.folder);
      if (!seconds.ok()) return seconds.status();
      results.back().read_seconds = *seconds;
      results.back().read_rows_per_s = static_cast<double>(o.rows) / (*seconds > 0 ? *seconds : 1e-9);
    }
  }
  return results;
}

}  // namespace labstore
