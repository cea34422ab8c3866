// A thin RAII layer over the SQLite C API for lib/export and lib/import:
// errors become Status values naming the database file.
#ifndef LABSTORE_LIB_SQLITE_SQLITE_UTIL_H_
#define LABSTORE_LIB_SQLITE_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

class SqliteStmt {
 public:
  SqliteStmt() = default;
  SqliteStmt(sqlite3_stmt* stmt, std::string path) : stmt_(stmt), path_(std::move(path)) {}
  SqliteStmt(SqliteStmt&& o) noexcept : stmt_(o.stmt_), path_(std::move(o.path_)) { o.stmt_ = nullptr; }
  SqliteStmt& operator=(SqliteStmt&& o) noexcept;
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  ~SqliteStmt();

  // Parameters are 1-based, as in SQLite.
  SqliteStmt& Bind(int i, int64_t v);
  SqliteStmt& Bind(int i, double v);
  SqliteStmt& Bind(int i, std::string_view text);  // copies the text
  // Binds without a copy: `text` must stay valid until the statement is
  // stepped to its end or reset (Run() does both).
  SqliteStmt& BindView(int i, std::string_view text);
  SqliteStmt& BindNull(int i);
  SqliteStmt& Bind(int i, const std::optional<int64_t>& v);

  // Runs one step: true when a row is available, false when done.
  // Errors: IOError / Corruption with SQLite's message.
  Result<bool> Step();
  // Steps through every remaining row, calling `each(*this)` for each: the
  // one loop over result rows. Errors: as Step(), at the first failing step
  // (`each` has seen the rows before it).
  template <typename F>
  Status ForEachRow(F&& each) {
    while (true) {
      auto row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::OK();
      each(*this);
    }
  }
  // Step() to the end, then Reset(). For statements without result rows.
  Status Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int Type(int col) const { return sqlite3_column_type(stmt_, col); }
  std::string Text(int col) const;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  std::string path_;
};

class SqliteDb {
 public:
  // sqlite3_open_v2 with `flags` (SQLITE_OPEN_NOFOLLOW is always added, and
  // SQLITE_OPEN_NOMUTEX: a connection is used by one thread at a time).
  // Errors: IOError (cannot open), Corruption (not a database).
  static Result<SqliteDb> Open(const std::string& path, int flags);

  SqliteDb() = default;
  SqliteDb(SqliteDb&& o) noexcept : db_(o.db_), path_(std::move(o.path_)) { o.db_ = nullptr; }
  SqliteDb& operator=(SqliteDb&& o) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  Status Exec(const std::string& sql);
  Result<SqliteStmt> Prepare(std::string_view sql);
  // The single integer a query returns (e.g. PRAGMA user_version).
  Result<int64_t> QueryInt(std::string_view sql);
  // Closes now, reporting errors (the destructor ignores them).
  Status Close();

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  // A Status for the last error of this connection, with `context` in front.
  Status Error(int rc, std::string_view context) const;

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// `name` as an SQL identifier in double quotes ("a""b").
std::string QuoteIdentifier(std::string_view name);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_SQLITE_SQLITE_UTIL_H_
