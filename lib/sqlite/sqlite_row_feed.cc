// SqliteRowFeed: an eponymous, read-only virtual table over a SqliteRowSource
// (see sqlite_row_feed.h). One full scan is its only plan; SQLite itself
// evaluates any WHERE clause.
#include "sqlite/sqlite_row_feed.h"

#include <fmt/format.h>

namespace labstore::internal {

struct SqliteRowFeed::Shared {
  int columns = 0;
  const SqliteRowSource* source = nullptr;  // set during Run only
};

namespace {

using Shared = SqliteRowFeed::Shared;

struct FeedTable : sqlite3_vtab {
  Shared* shared = nullptr;
};

struct FeedCursor : sqlite3_vtab_cursor {
  Shared* shared = nullptr;
  uint64_t row = 0;
};

int Connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) {
  auto* shared = static_cast<Shared*>(aux);
  std::string schema = "CREATE TABLE x(";
  for (int i = 0; i < shared->columns; ++i) schema += fmt::format("{}c{}", i ? "," : "", i);
  schema += ")";
  int rc = sqlite3_declare_vtab(db, schema.c_str());
  if (rc != SQLITE_OK) return rc;
  // Only SQL that names the feed itself may read it, never a view or trigger.
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  auto* table = new FeedTable();
  table->shared = shared;
  *out = table;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* table) {
  delete static_cast<FeedTable*>(table);
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  info->estimatedCost = 1e6;
  info->estimatedRows = 1000000;
  return SQLITE_OK;
}

int Open(sqlite3_vtab* table, sqlite3_vtab_cursor** out) {
  auto* cursor = new FeedCursor();
  cursor->shared = static_cast<FeedTable*>(table)->shared;
  *out = cursor;
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cursor) {
  delete static_cast<FeedCursor*>(cursor);
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* cursor, int, const char*, int, sqlite3_value**) {
  static_cast<FeedCursor*>(cursor)->row = 0;
  return SQLITE_OK;
}

int Next(sqlite3_vtab_cursor* cursor) {
  ++static_cast<FeedCursor*>(cursor)->row;
  return SQLITE_OK;
}

int Eof(sqlite3_vtab_cursor* cursor) {
  auto* c = static_cast<FeedCursor*>(cursor);
  return c->shared->source == nullptr || c->row >= c->shared->source->rows();
}

int Column(sqlite3_vtab_cursor* cursor, sqlite3_context* out, int column) {
  auto* c = static_cast<FeedCursor*>(cursor);
  c->shared->source->Cell(c->row, column, out);
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(static_cast<FeedCursor*>(cursor)->row);
  return SQLITE_OK;
}

const sqlite3_module* Module() {
  static const sqlite3_module module = [] {
    sqlite3_module m{};
    m.iVersion = 1;
    m.xCreate = nullptr;  // eponymous only: no CREATE VIRTUAL TABLE
    m.xConnect = Connect;
    m.xBestIndex = BestIndex;
    m.xDisconnect = Disconnect;
    m.xDestroy = Disconnect;
    m.xOpen = Open;
    m.xClose = Close;
    m.xFilter = Filter;
    m.xNext = Next;
    m.xEof = Eof;
    m.xColumn = Column;
    m.xRowid = Rowid;
    return m;
  }();
  return &module;
}

void DeleteShared(void* shared) { delete static_cast<Shared*>(shared); }

}  // namespace

Result<SqliteRowFeed> SqliteRowFeed::Create(SqliteDb& db, const std::string& name, int columns) {
  int limit = sqlite3_limit(db.get(), SQLITE_LIMIT_COLUMN, -1);
  if (columns < 1 || columns > limit) {
    return Status::InvalidArgument(fmt::format("row feed {} of {} columns", name, columns),
                                   fmt::format("a feed has 1 to {} columns (SQLite's column limit)", limit));
  }
  auto* shared = new Shared();
  shared->columns = columns;
  // On failure SQLite calls DeleteShared itself.
  int rc = sqlite3_create_module_v2(db.get(), name.c_str(), Module(), shared, DeleteShared);
  if (rc != SQLITE_OK) return db.Error(rc, fmt::format("cannot register the row feed {}", name));
  SqliteRowFeed feed;
  feed.name_ = name;
  feed.columns_ = columns;
  feed.shared_ = shared;
  return feed;
}

std::string SqliteRowFeed::Select() const {
  std::string sql = "SELECT ";
  for (int i = 0; i < columns_; ++i) sql += fmt::format("{}c{}", i ? ", " : "", i);
  return sql + " FROM " + QuoteIdentifier(name_);
}

Status SqliteRowFeed::Run(SqliteStmt& stmt, const SqliteRowSource& source) {
  shared_->source = &source;
  Status s = stmt.Run();
  shared_->source = nullptr;
  return s;
}

}  // namespace labstore::internal
