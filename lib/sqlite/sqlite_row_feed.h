// SqliteRowFeed: rows held in memory, read by SQL as a virtual table, so that
// a bulk insert is one `INSERT INTO t SELECT ... FROM <feed>` per batch of
// rows instead of one INSERT statement (bind, step, reset) per row.
//
//   auto feed = SqliteRowFeed::Create(db, "labstore_feed_3", 3);
//   auto insert = db.Prepare("INSERT INTO t (a, b, c) " + feed->Select());
//   Status s = feed->Run(*insert, my_rows);  // my_rows: a SqliteRowSource
//
// The table is eponymous (no CREATE VIRTUAL TABLE, nothing is written to the
// database's schema), has the columns c0 .. c<n-1> without declared types (a
// value reaches the INSERT with the type the source gives it; the target
// column's affinity then applies as for a bound parameter), and may only be
// named directly in SQL (not from a view or trigger of the database file).
// Outside Run it has no rows.
#ifndef LABSTORE_LIB_SQLITE_SQLITE_ROW_FEED_H_
#define LABSTORE_LIB_SQLITE_SQLITE_ROW_FEED_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "labstore/status.h"
#include "sqlite/sqlite_util.h"

namespace labstore::internal {

// The rows a feed hands out during one Run.
class SqliteRowSource {
 public:
  virtual ~SqliteRowSource() = default;
  virtual uint64_t rows() const = 0;
  // Sets cell (row, column) with one sqlite3_result_* call on `out`; no call
  // leaves it NULL. A text or blob given as SQLITE_STATIC must stay valid
  // until Run returns.
  virtual void Cell(uint64_t row, int column, sqlite3_context* out) const = 0;
};

class SqliteRowFeed {
 public:
  // Registers the feed `name` with `columns` columns on `db` (for as long as
  // `db` is open; a feed of the same name registered before is replaced).
  // Errors: InvalidArgument: columns is below 1 or above SQLite's column
  // limit; IOError: SQLite refuses the module.
  static Result<SqliteRowFeed> Create(SqliteDb& db, const std::string& name, int columns);

  SqliteRowFeed() = default;

  const std::string& name() const { return name_; }
  // "SELECT c0, c1, ... FROM <name>": every column, in order.
  std::string Select() const;
  // Runs `stmt` (Step to the end, then Reset) while the feed holds the rows
  // of `source`. Errors: those of the statement (IOError / Corruption / Busy).
  Status Run(SqliteStmt& stmt, const SqliteRowSource& source);

  struct Shared;  // what the virtual table reads; owned by the SQLite module

 private:
  std::string name_;
  int columns_ = 0;
  Shared* shared_ = nullptr;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_SQLITE_SQLITE_ROW_FEED_H_
