// The records SQL tables in bulk: rows across several insert batches (one
// INSERT ... SELECT from a row feed each) arrive whole, in order and typed;
// records.sqlite and ExportSqlite's file are built new without a journal and
// with 16 KiB pages, then changed in place; storage.sqlite keeps 4 KiB.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "export_test_util.h"
#include "labstore/record.h"

namespace labstore::test {
namespace {

// Logs rows [from, to) of scope "default": i = row, x = row / 4 (double),
// s = "r<row>" or null every 5th row, b = row is even, mixed = int or text.
void Log(Store& store, const std::string& id, int64_t from, int64_t to) {
  auto w = RecordWriter::Open(store, id, "default");
  REQUIRE(w.ok());
  for (int64_t r = from; r < to; ++r) {
    w->Set("i", r);
    w->Set("x", static_cast<double>(r) / 4);
    if (r % 5 != 0) w->Set("s", fmt::format("r{}", r));
    w->Set("b", r % 2 == 0);
    if (r % 3 == 0) {
      w->Set("mixed", fmt::format("m{}", r));
    } else {
      w->Set("mixed", r);
    }
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
}

// What every row of records_default must satisfy, given `rows` rows.
void CheckRows(const std::string& db, int64_t rows) {
  CHECK(Query(db, "SELECT count(*), min(row), max(row) FROM records_default") ==
        fmt::format("{}|0|{}\n", rows, rows - 1));
  // In order (rowid follows row), each value as logged, with its type.
  CHECK(Query(db,
              "SELECT count(*) FROM records_default WHERE rowid != row + 1 OR i != row OR typeof(i) != 'integer' "
              "OR x != row / 4.0 OR typeof(x) != 'real' "
              "OR (row % 5 = 0 AND s IS NOT NULL) OR (row % 5 != 0 AND s != 'r' || row) "
              "OR b != (row % 2 = 0) OR typeof(b) != 'integer' "
              "OR (row % 3 = 0 AND (typeof(mixed) != 'text' OR mixed != 'm' || row)) "
              "OR (row % 3 != 0 AND (typeof(mixed) != 'integer' OR mixed != row)) "
              // 32 characters, or 25 without the fraction when the microsecond is 0 (FormatIso)
              "OR length(\"__timestamp\") NOT IN (25, 32)") == "0\n");
}

// A fresh store with one experiment whose scope "default" has `rows` rows (Log).
struct LoggedStore {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::string id;

  explicit LoggedStore(int64_t rows) {
    auto e = store.Create({.module = "m", .config = "{}"});
    REQUIRE(e.ok());
    id = e->id;
    Log(store, id, 0, rows);
  }
};

bool HasTemporaryFiles(const std::string& dir) {
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(".labstore-tmp") || name.ends_with("-journal")) return true;
  }
  return false;
}

TEST_CASE("records.sqlite is built whole over several insert batches, then extended in place" *
          doctest::test_suite("export")) {
  const int64_t first = 65536 + 1000;  // more than one insert batch (65,536 rows)
  LoggedStore s(first);
  TempDir& tmp = s.tmp;
  Store& store = s.store;
  const std::string out = tmp.Sub("out"), db = out + "/records.sqlite";
  auto stats = Export(store, out, {.records_sql = RecordsSql::kSeparateFile, .sync = true});
  REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
  CHECK(stats->record_sql_rows == static_cast<uint64_t>(first));
  CheckRows(db, first);
  CHECK(Query(db, "SELECT name, type FROM pragma_table_info('records_default') WHERE cid >= 3") ==
        "i|INTEGER\nx|REAL\nb|BOOLEAN\nmixed|\ns|TEXT\n");  // first appearance order
  CHECK(Query(db, "PRAGMA page_size") == "16384\n");
  CHECK(Query(db, "PRAGMA journal_mode") == "delete\n");
  CHECK(Query(out + "/storage.sqlite", "PRAGMA page_size") == "4096\n");
  CHECK_FALSE(HasTemporaryFiles(out));

  // A later export appends in place: the same file, only the new rows.
  auto inode = [&] {
    struct stat st {};
    REQUIRE(::stat(db.c_str(), &st) == 0);
    return st.st_ino;
  };
  const ino_t before = inode();
  Log(store, s.id, first, first + 70000);
  auto again = Export(store, out, {.records_sql = RecordsSql::kSeparateFile});
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->record_sql_rows == 70000);
  CheckRows(db, first + 70000);
  CHECK(Query(db, "PRAGMA page_size") == "16384\n");
  CHECK(inode() == before);
  CHECK_FALSE(HasTemporaryFiles(out));
}

TEST_CASE("ExportSqlite's file is built whole with 16 KiB pages; in storage.sqlite the records keep 4 KiB pages" *
          doctest::test_suite("export")) {
  LoggedStore s(70000);
  TempDir& tmp = s.tmp;
  Store& store = s.store;
  const std::string file = tmp.Sub("view/all.sqlite");
  auto stats = ExportSqlite(store, file);
  REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
  CheckRows(file, 70000);
  CHECK(Query(file, "PRAGMA page_size") == "16384\n");
  CHECK(Query(file, "SELECT count(*) FROM experiments") == "1\n");
  CHECK_FALSE(HasTemporaryFiles(tmp.Sub("view")));

  auto in_storage = Export(store, tmp.Sub("out"));
  REQUIRE_MESSAGE(in_storage.ok(), in_storage.status().ToString());
  CheckRows(tmp.Sub("out/storage.sqlite"), 70000);
  CHECK(Query(tmp.Sub("out/storage.sqlite"), "PRAGMA page_size") == "4096\n");
}

}  // namespace
}  // namespace labstore::test
