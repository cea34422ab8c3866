// SqliteRowFeed: rows from memory read by INSERT ... SELECT, with the types
// the source gives, NULL for cells it leaves, in order, and its errors.
#include "sqlite/sqlite_row_feed.h"

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "test_util.h"

namespace labstore::internal {
namespace {

// Row r: (r, r + 0.5, "t<r>", NULL where r is odd else r * 10).
class Rows : public SqliteRowSource {
 public:
  explicit Rows(uint64_t n) : texts_(n) {
    for (uint64_t r = 0; r < n; ++r) texts_[r] = "t" + std::to_string(r);
  }
  uint64_t rows() const override { return texts_.size(); }
  void Cell(uint64_t row, int column, sqlite3_context* out) const override {
    switch (column) {
      case 0: sqlite3_result_int64(out, static_cast<int64_t>(row)); break;
      case 1: sqlite3_result_double(out, static_cast<double>(row) + 0.5); break;
      case 2: sqlite3_result_text64(out, texts_[row].data(), texts_[row].size(), SQLITE_STATIC, SQLITE_UTF8); break;
      default:
        if (row % 2 == 0) sqlite3_result_int64(out, static_cast<int64_t>(row) * 10);
        break;
    }
  }

 private:
  std::vector<std::string> texts_;
};

std::string Dump(SqliteDb& db, const std::string& sql) {
  auto stmt = db.Prepare(sql);
  REQUIRE(stmt.ok());
  std::string out;
  CHECK(stmt->ForEachRow([&](const SqliteStmt& s) {
              for (int c = 0; c < sqlite3_column_count(s.get()); ++c) {
                out += (c ? "|" : "") + s.Text(c);
              }
              out += "\n";
            }).ok());
  return out;
}

TEST_CASE("a row feed inserts its rows in order, typed, with NULL for cells the source leaves" *
          doctest::test_suite("sqlite")) {
  auto db = SqliteDb::Open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  REQUIRE(db->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n, b BOOLEAN)").ok());
  auto feed = SqliteRowFeed::Create(*db, "feed_4", 4);
  REQUIRE(feed.ok());
  CHECK(feed->Select() == "SELECT c0, c1, c2, c3 FROM \"feed_4\"");
  auto insert = db->Prepare("INSERT INTO t (i, d, s, n) " + feed->Select());
  REQUIRE(insert.ok());
  Rows rows(3);
  REQUIRE(feed->Run(*insert, rows).ok());
  CHECK(Dump(*db, "SELECT rowid, i, typeof(i), d, typeof(d), s, typeof(s), n, typeof(n), typeof(b) FROM t") ==
        "1|0|integer|0.5|real|t0|text|0|integer|null\n"
        "2|1|integer|1.5|real|t1|text||null|null\n"
        "3|2|integer|2.5|real|t2|text|20|integer|null\n");
  // The statement runs again with other rows; outside Run the feed is empty.
  Rows more(1);
  REQUIRE(feed->Run(*insert, more).ok());
  CHECK(Dump(*db, "SELECT count(*) FROM t") == "4\n");
  CHECK(Dump(*db, "SELECT count(*) FROM feed_4") == "0\n");
  // The target column's affinity applies as for a bound value: an integer
  // into REAL is a real.
  REQUIRE(db->Exec("CREATE TABLE r (x REAL)").ok());
  auto into_real = db->Prepare("INSERT INTO r (x) SELECT c0 FROM feed_4");
  REQUIRE(into_real.ok());
  REQUIRE(feed->Run(*into_real, more).ok());
  CHECK(Dump(*db, "SELECT x, typeof(x) FROM r") == "0.0|real\n");
}

TEST_CASE("a row feed is refused outside 1 to SQLite's column limit, and cannot be read from a view" *
          doctest::test_suite("sqlite")) {
  auto db = SqliteDb::Open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  auto none = SqliteRowFeed::Create(*db, "feed_0", 0);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().IsInvalidArgument());
  CHECK(none.status().ToString().find("1 to 2000 columns") != std::string::npos);
  int limit = sqlite3_limit(db->get(), SQLITE_LIMIT_COLUMN, -1);
  auto wide = SqliteRowFeed::Create(*db, "feed_wide", limit + 1);
  CHECK(wide.status().IsInvalidArgument());
  auto widest = SqliteRowFeed::Create(*db, "feed_widest", limit);
  CHECK(widest.ok());

  auto feed = SqliteRowFeed::Create(*db, "feed_1", 1);
  REQUIRE(feed.ok());
  REQUIRE(db->Exec("CREATE VIEW v AS SELECT c0 FROM feed_1").ok());
  Status s = db->Exec("SELECT * FROM v");
  CHECK_FALSE(s.ok());
  CHECK(s.ToString().find("unsafe use of virtual table") != std::string::npos);
}

}  // namespace
}  // namespace labstore::internal
