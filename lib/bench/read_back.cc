// The read half of RunWriteBench (read_back.h): labstore's ReadColumns, a
// RocksDB iteration over one key per row, an SQLite SELECT and a JSON-lines
// parse, each into the same typed columns.
#include "bench/read_back.h"

#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include <fmt/format.h>
#include <rocksdb/db.h>

#include "labstore/labstore.h"
#include "labstore/record_reader.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Columns sized for the rows the write logged, as a reader who knows the row count would.
BenchColumns Sized(const WriteBenchOptions& o) {
  BenchColumns c;
  c.timestamps.reserve(o.rows);
  c.ints.resize(o.int_columns);
  c.floats.resize(o.float_columns);
  c.string_offsets.resize(o.string_columns);
  c.string_bytes.resize(o.string_columns);
  for (auto& v : c.ints) v.reserve(o.rows);
  for (auto& v : c.floats) v.reserve(o.rows);
  for (uint32_t s = 0; s < o.string_columns; ++s) {
    c.string_offsets[s].reserve(o.rows + 1);
    c.string_offsets[s].push_back(0);
    c.string_bytes[s].reserve(o.rows * o.string_length);
  }
  return c;
}

void AddString(BenchColumns* c, uint32_t s, std::string_view text) {
  c->string_bytes[s].append(text);
  c->string_offsets[s].push_back(c->string_bytes[s].size());
}

// The rows read are the rows written: their count, and int column 0 of the last row.
Status Check(const WriteBenchOptions& o, const BenchColumns& c, std::string_view method) {
  bool ok = c.rows == o.rows && c.timestamps.size() == o.rows;
  if (ok && o.int_columns > 0) ok = !c.ints[0].empty() && c.ints[0].back() == static_cast<int64_t>(o.rows - 1);
  if (ok) return Status::OK();
  return Status::Corruption(fmt::format("{} read back {} rows, not the {} rows written", method, c.rows, o.rows));
}

// A JSON-lines row as RunJsonLines writes it: a flat object of numbers and
// strings. A JSON parser reduced to what those lines hold (no nesting), so the
// figure is an upper bound for a general one.
class LineParser {
 public:
  LineParser(const WriteBenchOptions& o, BenchColumns* c) : o_(o), c_(c) {}

  bool Parse(std::string_view line) {
    p_ = line.data();
    end_ = line.data() + line.size();
    if (!Eat('{')) return false;
    do {
      std::string_view key;
      if (!String(&key) || !Eat(':')) return false;
      Space();
      if (!Value(key)) return false;
      Space();
    } while (Eat(','));
    ++c_->rows;
    return Eat('}');
  }

 private:
  void Space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t')) ++p_;
  }
  bool Eat(char ch) {
    Space();
    if (p_ == end_ || *p_ != ch) return false;
    ++p_;
    return true;
  }
  // A string without escapes (the bench writes none); false on any escape.
  bool String(std::string_view* out) {
    if (!Eat('"')) return false;
    const char* q = static_cast<const char*>(std::memchr(p_, '"', static_cast<size_t>(end_ - p_)));
    if (q == nullptr || std::memchr(p_, '\\', static_cast<size_t>(q - p_)) != nullptr) return false;
    *out = std::string_view(p_, static_cast<size_t>(q - p_));
    p_ = q + 1;
    return true;
  }
  // Column names: "__timestamp", then i<c>, f<c>, s<c>.
  bool Value(std::string_view key) {
    if (key.empty()) return false;
    uint32_t index = 0;
    if (key.size() >= 2) std::from_chars(key.data() + 1, key.data() + key.size(), index);
    if (key == "__timestamp" || (key[0] == 'i' && index < o_.int_columns)) {
      int64_t v;
      auto r = std::from_chars(p_, end_, v);
      if (r.ec != std::errc()) return false;
      p_ = r.ptr;
      (key[0] == 'i' ? c_->ints[index] : c_->timestamps).push_back(v);
      return true;
    }
    if (key[0] == 'f' && index < o_.float_columns) {
      double v;
      auto r = std::from_chars(p_, end_, v);
      if (r.ec != std::errc()) return false;
      p_ = r.ptr;
      c_->floats[index].push_back(v);
      return true;
    }
    std::string_view text;
    if (key[0] != 's' || index >= o_.string_columns || !String(&text)) return false;
    AddString(c_, index, text);
    return true;
  }

  const WriteBenchOptions& o_;
  BenchColumns* c_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

}  // namespace

Result<double> ReadBackLabstore(const WriteBenchOptions& o, const std::string& dir) {
  auto store = Store::Open({.read_only = true}, dir);
  if (!store.ok()) return store.status();
  auto experiments = store->List();
  if (!experiments.ok()) return experiments.status();
  uint64_t rows = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const Experiment& e : *experiments) {
    auto columns = ReadColumns(*store, e.id, "default");
    if (!columns.ok()) return columns.status();
    rows += columns->rows;
  }
  const double seconds = SecondsSince(start);
  if (rows != o.rows) return Status::Corruption(fmt::format("labstore read back {} rows of {}", rows, o.rows));
  return seconds;
}

Result<double> ReadBackRocksDb(const WriteBenchOptions& o, const std::string& dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw);
  if (!rs.ok()) return Status::IOError("cannot open RocksDB", rs.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  const auto start = std::chrono::steady_clock::now();
  BenchColumns c = Sized(o);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // as labstore's scans
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  // value := ts(8) int(8){int_columns} double(8){float_columns} (len(4) bytes){string_columns}
  const size_t fixed = 8 * (1 + size_t{o.int_columns} + o.float_columns);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const char* v = it->value().data();
    const size_t size = it->value().size();
    if (size < fixed) return Status::Corruption("RocksDB row value too short");
    int64_t ts;
    std::memcpy(&ts, v, 8);
    c.timestamps.push_back(ts);
    size_t at = 8;
    for (auto& col : c.ints) {
      int64_t x;
      std::memcpy(&x, v + at, 8);
      col.push_back(x);
      at += 8;
    }
    for (auto& col : c.floats) {
      double x;
      std::memcpy(&x, v + at, 8);
      col.push_back(x);
      at += 8;
    }
    for (uint32_t s = 0; s < o.string_columns; ++s) {
      uint32_t len;
      if (at + 4 > size) return Status::Corruption("RocksDB row value too short");
      std::memcpy(&len, v + at, 4);
      if (at + 4 + len > size) return Status::Corruption("RocksDB row value too short");
      AddString(&c, s, std::string_view(v + at + 4, len));
      at += 4 + len;
    }
    ++c.rows;
  }
  if (!it->status().ok()) return Status::IOError("RocksDB read failed", it->status().ToString());
  const double seconds = SecondsSince(start);
  LABSTORE_RETURN_IF_ERROR(Check(o, c, "RocksDB"));
  return seconds;
}

Result<double> ReadBackSqlite(const WriteBenchOptions& o, const std::string& dir) {
  sqlite3* db = nullptr;
  const std::string path = dir + "/records.sqlite";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return Status::IOError("cannot open SQLite", path);
  }
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> guard(db, sqlite3_close);
  std::string sql = "SELECT ts";
  for (uint32_t i = 0; i < o.int_columns; ++i) sql += fmt::format(", i{}", i);
  for (uint32_t i = 0; i < o.float_columns; ++i) sql += fmt::format(", f{}", i);
  for (uint32_t i = 0; i < o.string_columns; ++i) sql += fmt::format(", s{}", i);
  sql += " FROM records ORDER BY row";
  const auto start = std::chrono::steady_clock::now();
  sqlite3_stmt* select = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &select, nullptr) != SQLITE_OK) {
    return Status::IOError("cannot prepare the SQLite select", sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> select_guard(select, sqlite3_finalize);
  BenchColumns c = Sized(o);
  int rc;
  while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
    int k = 0;
    c.timestamps.push_back(sqlite3_column_int64(select, k++));
    for (auto& col : c.ints) col.push_back(sqlite3_column_int64(select, k++));
    for (auto& col : c.floats) col.push_back(sqlite3_column_double(select, k++));
    for (uint32_t s = 0; s < o.string_columns; ++s, ++k) {
      const char* text = reinterpret_cast<const char*>(sqlite3_column_text(select, k));
      AddString(&c, s, std::string_view(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(select, k))));
    }
    ++c.rows;
  }
  if (rc != SQLITE_DONE) return Status::IOError("SQLite select failed", sqlite3_errmsg(db));
  const double seconds = SecondsSince(start);
  LABSTORE_RETURN_IF_ERROR(Check(o, c, "SQLite"));
  return seconds;
}

Result<double> ReadBackJsonLines(const WriteBenchOptions& o, const std::string& dir) {
  const std::string path = dir + "/default.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IOError("cannot open", path);
  std::unique_ptr<std::FILE, decltype(&std::fclose)> guard(f, std::fclose);
  const auto start = std::chrono::steady_clock::now();
  BenchColumns c = Sized(o);
  LineParser parser(o, &c);
  std::string buf(size_t{1} << 20, '\0');
  size_t kept = 0;  // bytes of an unfinished line at the front of buf
  while (true) {
    const size_t n = std::fread(buf.data() + kept, 1, buf.size() - kept, f);
    const size_t filled = kept + n;
    size_t line = 0;
    while (const void* nl = std::memchr(buf.data() + line, '\n', filled - line)) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf.data());
      if (!parser.Parse(std::string_view(buf.data() + line, at - line))) {
        return Status::Corruption(fmt::format("bad JSON line {} in {}", c.rows + 1, path));
      }
      line = at + 1;
    }
    kept = filled - line;
    std::memmove(buf.data(), buf.data() + line, kept);
    if (n == 0) break;
    if (kept == buf.size()) buf.resize(buf.size() * 2);
  }
  if (kept != 0) return Status::Corruption(fmt::format("{} ends in an unfinished line", path));
  const double seconds = SecondsSince(start);
  LABSTORE_RETURN_IF_ERROR(Check(o, c, "JSON lines"));
  return seconds;
}

}  // namespace labstore::internal
