// Export: records as machinable's records/<scope>.jsonl, and as SQL tables.
//
// Records as SQL (doc/format.md, "Records as SQL"):
//   one table per scope      "records_<scope>" (experiment_id TEXT, row INTEGER,
//                            __timestamp TEXT, <column> <type>, ...)
//     type: int64 INTEGER, double REAL (also ints and doubles mixed), bool
//           BOOLEAN (0/1), string TEXT, nested JSON / mixed / only nulls: no
//           declared type (values kept as they are: integers, reals, text;
//           nested JSON as its text); the type over every experiment's scope
//   view records             every scope table, UNION ALL, with a leading
//                            `scope` column and NULL where a scope lacks a column
//   labstore_record_tables   (scope PRIMARY KEY, table_name)
//   labstore_record_columns  (scope, name, column_name, type) — SQL name and
//                            declared type of every record column
//   labstore_record_progress (experiment_id, scope, rows): rows already
//                            inserted, updated in the same transaction
// SQL names are case-insensitive: a table or column whose name equals an
// earlier one but for case, or a column named experiment_id, row or scope,
// gets "_2", "_3", ... appended.
// Rows go in by batches of 65,536 decoded rows, each one INSERT ... SELECT
// from a row feed (export_sql_rows.h, sqlite/sqlite_row_feed.h).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "export/export_internal.h"
#include "export/export_sql_rows.h"
#include "labstore/record_reader.h"
#include "layout/names.h"
#include "record/numeric.h"
#include "util/progress_reporter.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

constexpr uint64_t kSqlBatchRows = 1 << 16;
// SQLite's default limits (SQLITE_MAX_COMPOUND_SELECT, SQLITE_MAX_COLUMN).
constexpr size_t kMaxViewTables = 500;
constexpr size_t kMaxViewColumns = 1990;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* DeclaredType(ValueType t) {
  switch (t) {
    case ValueType::kInt64: return "INTEGER";
    case ValueType::kDouble: return "REAL";
    case ValueType::kBool: return "BOOLEAN";
    case ValueType::kString: return "TEXT";
    case ValueType::kJson:
    case ValueType::kNull: return "";
  }
  return "";
}

// A name not in `taken` (case-insensitively): `name`, else name_2, name_3, ...
std::string Unique(const std::string& name, std::set<std::string>* taken) {
  std::string candidate = name;
  for (int n = 2; taken->count(Lower(candidate)); ++n) candidate = fmt::format("{}_{}", name, n);
  taken->insert(Lower(candidate));
  return candidate;
}

struct SqlColumn {
  std::string name;         // record column
  std::string column_name;  // SQL column
  std::string type;         // declared type
};

struct ScopeTable {
  std::string table;
  std::vector<SqlColumn> columns;  // in table order
};

class RecordsSqlWriter {
 public:
  RecordsSqlWriter(ExportContext& ctx, SqliteDb& db) : ctx_(ctx), db_(db) {}

  Status Load() {
    LABSTORE_RETURN_IF_ERROR(db_.Exec(
        "CREATE TABLE IF NOT EXISTS labstore_record_tables (scope TEXT PRIMARY KEY, table_name TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS labstore_record_columns (scope TEXT NOT NULL, name TEXT NOT NULL, "
        "column_name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (scope, name));"
        "CREATE TABLE IF NOT EXISTS labstore_record_progress (experiment_id TEXT NOT NULL, scope TEXT NOT NULL, "
        "rows INTEGER NOT NULL, PRIMARY KEY (experiment_id, scope));"));
    auto tables = db_.Prepare("SELECT scope, table_name FROM labstore_record_tables");
    if (!tables.ok()) return tables.status();
    LABSTORE_RETURN_IF_ERROR(tables->ForEachRow([&](const SqliteStmt& s) {
      scopes_[s.Text(0)].table = s.Text(1);
      table_names_.insert(Lower(s.Text(1)));
    }));
    auto columns = db_.Prepare("SELECT scope, name, column_name, type FROM labstore_record_columns ORDER BY rowid");
    if (!columns.ok()) return columns.status();
    LABSTORE_RETURN_IF_ERROR(columns->ForEachRow([&](const SqliteStmt& s) {
      scopes_[s.Text(0)].columns.push_back({s.Text(1), s.Text(2), s.Text(3)});
    }));
    auto progress = db_.Prepare("SELECT rows FROM labstore_record_progress WHERE experiment_id = ? AND scope = ?");
    if (!progress.ok()) return progress.status();
    progress_ = std::move(*progress);
    auto set =
        db_.Prepare("INSERT OR REPLACE INTO labstore_record_progress (experiment_id, scope, rows) VALUES (?,?,?)");
    if (!set.ok()) return set.status();
    set_progress_ = std::move(*set);
    // Names of other tables (machinable's) are taken too.
    auto all = db_.Prepare("SELECT name FROM sqlite_master");
    if (!all.ok()) return all.status();
    LABSTORE_RETURN_IF_ERROR(all->ForEachRow([&](const SqliteStmt& s) { table_names_.insert(Lower(s.Text(0))); }));
    return Status::OK();
  }

  Status Export(const std::string& id) {
    auto scopes = ListScopes(*ctx_.store, id);
    if (!scopes.ok()) return scopes.status();
    for (ScopeInfo& info : *scopes) {
      progress_.Bind(1, std::string_view(id)).Bind(2, std::string_view(info.name));
      auto row = progress_.Step();
      uint64_t done = row.ok() && *row ? static_cast<uint64_t>(progress_.Int(0)) : 0;
      progress_.Reset();
      if (!row.ok()) return row.status();
      if (info.rows <= done) continue;
      auto is_json = [](const auto& c) { return c.second == ValueType::kJson; };
      if (std::any_of(info.columns.begin(), info.columns.end(), is_json)) {
        // Scopes written before int/double columns existed list them as json.
        auto types = ReadColumnTypes(*internal::StateOf(*ctx_.store), id, info.name);
        if (!types.ok()) return types.status();
        info.columns = std::move(*types);
      }
      LABSTORE_RETURN_IF_ERROR(EnsureTable(info));
      LABSTORE_RETURN_IF_ERROR(Insert(id, info, done));
      LABSTORE_RETURN_IF_ERROR(set_progress_.Bind(1, std::string_view(id))
                                   .Bind(2, std::string_view(info.name))
                                   .Bind(3, static_cast<int64_t>(info.rows))
                                   .Run());
      changed_ = true;
    }
    return Status::OK();
  }

  // (Re)creates the view `records` over every scope table.
  Status Finish() {
    bool have_view = false;
    {
      auto q = db_.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name = 'records'");
      if (!q.ok()) return q.status();
      have_view = *q > 0;
    }
    if (have_view && !changed_) return Status::OK();
    LABSTORE_RETURN_IF_ERROR(db_.Exec("DROP VIEW IF EXISTS records"));
    std::vector<std::string> names;  // SQL column names, union over scopes
    std::set<std::string> seen;
    for (const auto& [scope, t] : scopes_) {
      for (const SqlColumn& c : t.columns) {
        if (seen.insert(Lower(c.column_name)).second) names.push_back(c.column_name);
      }
    }
    if (scopes_.size() > kMaxViewTables || names.size() > kMaxViewColumns) {
      ctx_.warnings.push_back(
          fmt::format("the view `records` is not made: {} scopes with {} columns exceed SQLite's limits",
                      scopes_.size(), names.size()));
      return Status::OK();
    }
    std::string sql = "CREATE VIEW records AS ";
    if (scopes_.empty()) {
      sql += "SELECT NULL AS scope, NULL AS experiment_id, NULL AS row, NULL AS \"__timestamp\" WHERE 0";
    }
    bool first = true;
    for (const auto& [scope, t] : scopes_) {
      if (!first) sql += " UNION ALL ";
      first = false;
      std::string scope_literal = "'";
      for (char c : scope) scope_literal += c == '\'' ? std::string("''") : std::string(1, c);
      scope_literal += "'";
      sql += fmt::format("SELECT {} AS scope, experiment_id, row, \"__timestamp\"", scope_literal);
      std::set<std::string> own;
      for (const SqlColumn& c : t.columns) own.insert(Lower(c.column_name));
      for (const std::string& n : names) {
        sql += own.count(Lower(n)) ? ", " + QuoteIdentifier(n) : ", NULL AS " + QuoteIdentifier(n);
      }
      sql += " FROM " + QuoteIdentifier(t.table);
    }
    return db_.Exec(sql);
  }

 private:
  Status EnsureTable(const ScopeInfo& info) {
    ScopeTable& t = scopes_[info.name];
    bool create = t.table.empty();
    if (create) {
      t.table = Unique("records_" + info.name, &table_names_);
      auto ins = db_.Prepare("INSERT INTO labstore_record_tables (scope, table_name) VALUES (?,?)");
      if (!ins.ok()) return ins.status();
      LABSTORE_RETURN_IF_ERROR(ins->Bind(1, std::string_view(info.name)).Bind(2, std::string_view(t.table)).Run());
    }
    std::set<std::string> taken = {"experiment_id", "row", "scope", "__timestamp"};
    std::map<std::string, size_t> by_name;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      taken.insert(Lower(t.columns[i].column_name));
      by_name.emplace(t.columns[i].name, i);
    }
    bool retype = false;
    std::vector<SqlColumn> added;
    for (const auto& [name, type] : info.columns) {
      std::string declared = DeclaredType(type);
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        SqlColumn c{name, Unique(name, &taken), declared};
        t.columns.push_back(c);
        added.push_back(c);
        continue;
      }
      SqlColumn& c = t.columns[it->second];
      if (type == ValueType::kNull || c.type == declared) continue;
      // The column over every experiment: INTEGER and REAL make REAL; no
      // declared type so far takes this one if the column only has NULLs.
      std::string merged;
      if ((c.type == "INTEGER" && declared == "REAL") || (c.type == "REAL" && declared == "INTEGER")) {
        merged = "REAL";
      } else if (c.type.empty() && !declared.empty()) {
        auto any = db_.QueryInt(fmt::format("SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} IS NOT NULL LIMIT 1)",
                                            QuoteIdentifier(t.table), QuoteIdentifier(c.column_name)));
        if (!any.ok()) return any.status();
        merged = *any == 0 ? declared : "";
      }
      if (merged != c.type) {
        c.type = merged;
        retype = true;
      }
    }
    auto record = [&](const SqlColumn& c) -> Status {
      auto s = db_.Prepare("INSERT OR REPLACE INTO labstore_record_columns (scope, name, column_name, type) "
                           "VALUES (?,?,?,?)");
      if (!s.ok()) return s.status();
      return s->Bind(1, std::string_view(info.name))
          .Bind(2, std::string_view(c.name))
          .Bind(3, std::string_view(c.column_name))
          .Bind(4, std::string_view(c.type))
          .Run();
    };
    if (create || retype) {
      // A column's type can only change by making the table anew.
      std::string cols = "experiment_id TEXT, row INTEGER, \"__timestamp\" TEXT";
      for (const SqlColumn& c : t.columns) {
        cols += ", " + QuoteIdentifier(c.column_name) + (c.type.empty() ? "" : " " + c.type);
      }
      if (create) {
        LABSTORE_RETURN_IF_ERROR(db_.Exec(fmt::format("CREATE TABLE {} ({})", QuoteIdentifier(t.table), cols)));
      } else {
        // The view names the table: drop it (Finish makes it again).
        LABSTORE_RETURN_IF_ERROR(db_.Exec("DROP VIEW IF EXISTS records"));
        std::string tmp = QuoteIdentifier(t.table + "__labstore_retype");
        std::string old_cols = "experiment_id, row, \"__timestamp\"";
        for (const SqlColumn& c : t.columns) {
          bool is_new = std::any_of(added.begin(), added.end(), [&](const SqlColumn& a) { return a.name == c.name; });
          old_cols += is_new ? ", NULL" : ", " + QuoteIdentifier(c.column_name);
        }
        LABSTORE_RETURN_IF_ERROR(db_.Exec(fmt::format("CREATE TABLE {} ({})", tmp, cols)));
        LABSTORE_RETURN_IF_ERROR(
            db_.Exec(fmt::format("INSERT INTO {} SELECT {} FROM {}", tmp, old_cols, QuoteIdentifier(t.table))));
        LABSTORE_RETURN_IF_ERROR(db_.Exec(fmt::format("DROP TABLE {}", QuoteIdentifier(t.table))));
        LABSTORE_RETURN_IF_ERROR(db_.Exec(fmt::format("ALTER TABLE {} RENAME TO {}", tmp, QuoteIdentifier(t.table))));
      }
      for (const SqlColumn& c : t.columns) LABSTORE_RETURN_IF_ERROR(record(c));
      changed_ = true;
      return Status::OK();
    }
    for (const SqlColumn& c : added) {
      LABSTORE_RETURN_IF_ERROR(
          db_.Exec(fmt::format("ALTER TABLE {} ADD COLUMN {}{}", QuoteIdentifier(t.table),
                               QuoteIdentifier(c.column_name), c.type.empty() ? "" : " " + c.type)));
      LABSTORE_RETURN_IF_ERROR(record(c));
      changed_ = true;
    }
    return Status::OK();
  }

  // Inserts rows [from, info.rows) of the scope: one INSERT ... SELECT from a
  // row feed per batch of decoded rows.
  Status Insert(const std::string& id, const ScopeInfo& info, uint64_t from) {
    const ScopeTable& t = scopes_.at(info.name);
    std::string cols = "experiment_id, row, \"__timestamp\"";
    std::vector<std::string> names;  // record column of each SQL column after the first three
    for (const SqlColumn& c : t.columns) {
      cols += ", " + QuoteIdentifier(c.column_name);
      names.push_back(c.name);
    }
    auto feed = Feed(static_cast<int>(3 + t.columns.size()));
    if (!feed.ok()) return feed.status();
    auto stmt = db_.Prepare(fmt::format("INSERT INTO {} ({}) {}", QuoteIdentifier(t.table), cols, (*feed)->Select()));
    if (!stmt.ok()) return stmt.status();
    for (uint64_t start = from; start < info.rows; start += kSqlBatchRows) {
      uint64_t count = std::min<uint64_t>(kSqlBatchRows, info.rows - start);
      auto data = ReadColumns(*ctx_.store, id, info.name, {.start = static_cast<int64_t>(start), .count = count});
      if (!data.ok()) return data.status();
      RecordBatchRows rows(id, *data, names);
      LABSTORE_RETURN_IF_ERROR((*feed)->Run(*stmt, rows));
      ctx_.stats->record_sql_rows += data->rows;
    }
    return Status::OK();
  }

  // The row feed of `columns` columns on db_, registered on first use.
  Result<SqliteRowFeed*> Feed(int columns) {
    auto it = feeds_.find(columns);
    if (it == feeds_.end()) {
      auto feed = SqliteRowFeed::Create(db_, fmt::format("labstore_feed_{}", columns), columns);
      if (!feed.ok()) return feed.status();
      it = feeds_.emplace(columns, std::move(*feed)).first;
    }
    return &it->second;
  }

  ExportContext& ctx_;
  SqliteDb& db_;
  std::map<std::string, ScopeTable> scopes_;  // by scope name
  std::set<std::string> table_names_;         // lower case
  SqliteStmt progress_, set_progress_;
  std::map<int, SqliteRowFeed> feeds_;        // by column count
  bool changed_ = false;
};

}  // namespace

Status ExportRecordFiles(ExportContext& ctx, const std::string& id, const std::string& base, ManifestExperiment* m) {
  auto scopes = ListScopes(*ctx.store, id);
  if (!scopes.ok()) return scopes.status();
  for (const ScopeInfo& info : *scopes) {
    std::string file = info.name + std::string(kRecordsSuffix);
    if (Status s = SafeDir::CheckRelative(file); !s.ok() || file.find('/') != std::string::npos) {
      return Status::Corruption(fmt::format("experiment {} has a scope name that cannot be a file name", id));
    }
    std::string rel = base + "/" + kRecordsFolder + "/" + file;
    auto known = m->records.find(info.name);
    if (known != m->records.end() && known->second.first == info.rows) {
      ++ctx.stats->files_unchanged;
      continue;
    }
    LABSTORE_RETURN_IF_ERROR(BeforeWrite(ctx));
    auto out = ctx.root->CreateAtomic(rel, 0644);
    if (!out.ok()) return out.status();
    uint64_t start = 0;
    if (known != m->records.end() && known->second.first < info.rows) {
      // Append: copy what the last export wrote, if the file is still as it left it.
      auto size = ctx.root->Size(rel);
      if (size.ok() && *size == known->second.second) {
        LABSTORE_RETURN_IF_ERROR(out->CopyExisting());
        if (out->size() == known->second.second) {
          start = known->second.first;
        } else {
          out = ctx.root->CreateAtomic(rel, 0644);  // changed meanwhile: write it whole
          if (!out.ok()) return out.status();
        }
      }
    }
    uint64_t copied = out->size();
    LABSTORE_RETURN_IF_ERROR(WriteJsonLines(
        *ctx.store, id, info.name, [&](std::string_view text) { return out->Append(text); },
        {.start = static_cast<int64_t>(start), .count = info.rows - start}));
    uint64_t size = out->size();
    LABSTORE_RETURN_IF_ERROR(out->Commit(ctx.options->sync));
    ctx.stats->record_rows += info.rows - start;
    ctx.stats->bytes_written += size - copied;
    ++ctx.stats->files_written;
    m->records[info.name] = {info.rows, size};
  }
  return Status::OK();
}

Status RemoveRecordsSql(SqliteDb& db, const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::OK();
  auto have =
      db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'labstore_record_tables'");
  if (!have.ok()) return have.status();
  if (*have == 0) return Status::OK();
  std::vector<std::string> statements = {"DELETE FROM labstore_record_progress WHERE experiment_id = ?"};
  auto tables = db.Prepare("SELECT table_name FROM labstore_record_tables");
  if (!tables.ok()) return tables.status();
  LABSTORE_RETURN_IF_ERROR(tables->ForEachRow([&](const SqliteStmt& s) {
    std::string quoted = "\"";
    for (char c : s.Text(0)) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    statements.push_back(fmt::format("DELETE FROM {}\" WHERE experiment_id = ?", quoted));
  }));
  for (const std::string& sql : statements) {
    auto stmt = db.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    for (const std::string& id : ids) LABSTORE_RETURN_IF_ERROR(stmt->Bind(1, std::string_view(id)).Run());
  }
  return Status::OK();
}

Status ExportRecordsSql(ExportContext& ctx, SqliteDb& db, const std::vector<std::string>& ids) {
  RecordsSqlWriter sql(ctx, db);
  LABSTORE_RETURN_IF_ERROR(sql.Load());
  ProgressReporter progress(ctx.options->progress, "sql", ids.size());
  for (const std::string& id : ids) {
    uint64_t rows_before = ctx.stats->record_sql_rows;
    LABSTORE_RETURN_IF_ERROR(sql.Export(id));
    progress.Add(1, ctx.stats->record_sql_rows - rows_before);
  }
  LABSTORE_RETURN_IF_ERROR(sql.Finish());
  progress.Finish();
  return Status::OK();
}

}  // namespace labstore::internal
