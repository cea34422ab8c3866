#include "sqlite/sqlite_util.h"

#include <fmt/format.h>

namespace labstore::internal {
namespace {

Status FromCode(int rc, std::string_view message, std::string_view context, const std::string& path) {
  std::string msg = fmt::format("{}: {} ({})", context, message, path);
  int primary = rc & 0xFF;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corruption(msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Busy(msg);
  if (primary == SQLITE_CANTOPEN) return Status::IOError(msg);
  return Status::IOError(msg);
}

}  // namespace

SqliteStmt& SqliteStmt::operator=(SqliteStmt&& o) noexcept {
  if (this != &o) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    path_ = std::move(o.path_);
    o.stmt_ = nullptr;
  }
  return *this;
}

SqliteStmt::~SqliteStmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

SqliteStmt& SqliteStmt::Bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

SqliteStmt& SqliteStmt::BindView(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}

SqliteStmt& SqliteStmt::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

SqliteStmt& SqliteStmt::Bind(int i, const std::optional<int64_t>& v) {
  return v ? Bind(i, *v) : BindNull(i);
}

Result<bool> SqliteStmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  return FromCode(rc, sqlite3_errmsg(db), fmt::format("SQL \"{}\" failed", sqlite3_sql(stmt_)), path_);
}

Status SqliteStmt::Run() {
  Status s = ForEachRow([](const SqliteStmt&) {});
  Reset();
  return s;
}

void SqliteStmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, int flags) {
  SqliteDb d;
  d.path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &d.db_, flags | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = d.db_ != nullptr ? sqlite3_errmsg(d.db_) : sqlite3_errstr(rc);
    return FromCode(rc, msg, "cannot open SQLite database", path);
  }
  sqlite3_extended_result_codes(d.db_, 1);
  sqlite3_busy_timeout(d.db_, 5000);
  return d;
}

SqliteDb& SqliteDb::operator=(SqliteDb&& o) noexcept {
  if (this != &o) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = o.db_;
    path_ = std::move(o.path_);
    o.db_ = nullptr;
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status SqliteDb::Error(int rc, std::string_view context) const {
  return FromCode(rc, db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc), context, path_);
}

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  std::string shown = sql.size() > 80 ? sql.substr(0, 77) + "..." : sql;
  return FromCode(rc, msg, fmt::format("SQL \"{}\" failed", shown), path_);
}

Result<SqliteStmt> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(rc, fmt::format("cannot prepare \"{}\"", sql));
  return SqliteStmt(stmt, path_);
}

Result<int64_t> SqliteDb::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound(fmt::format("\"{}\" returned no row ({})", sql, path_));
  return stmt->Int(0);
}

Status SqliteDb::Close() {
  if (db_ == nullptr) return Status::OK();
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) return Error(rc, "cannot close");
  db_ = nullptr;
  return Status::OK();
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace labstore::internal
