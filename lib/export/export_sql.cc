// The SQLite side of an export: storage.sqlite (machinable's five tables,
// plus the records tables by default) and records.sqlite.
#include <unistd.h>

#include <unordered_map>

#include <fmt/format.h>

#include "export/export_internal.h"
#include "sqlite/sqlite_index.h"
#include "util/return_if_error.h"

namespace labstore::internal {

Status SetUpScratchDatabase(SqliteDb& db, bool sync, bool large_pages) {
  // 16 KiB pages: a quarter of the page writes and B-tree splits of the
  // default 4 KiB for the same rows (set before the first table exists).
  if (large_pages) LABSTORE_RETURN_IF_ERROR(db.Exec("PRAGMA page_size = 16384"));
  // No rollback journal: until the rename the file is nobody's, and an
  // interrupted build is a temporary file that the next export removes. With
  // `sync`, SQLite still fsyncs the file at its commit (synchronous FULL).
  LABSTORE_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = OFF"));
  if (!sync) LABSTORE_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = OFF"));
  return Status::OK();
}

// Opens `name` in dest for changes: in place when it is a valid database of
// ours, else a new one under a temporary name (*temp_name set) that the caller
// renames into place after committing.
Result<SqliteDb> OpenDatabase(SafeDir& root, const std::string& name, bool machinable_schema, bool sync,
                              std::string* temp_name) {
  auto kind = root.Kind(name);
  if (!kind.ok()) return kind.status();
  if (*kind != EntryKind::kMissing && *kind != EntryKind::kFile) {
    return Status::InvalidArgument(fmt::format("{}/{} is not a regular file", root.path(), name),
                                   "symbolic links are never followed below the export root");
  }
  temp_name->clear();
  if (*kind == EntryKind::kFile) {
    auto db = SqliteDb::Open(root.path() + "/" + name, SQLITE_OPEN_READWRITE);
    if (db.ok()) {
      Status schema = machinable_schema ? CheckMachinableSchema(*db) : Status::OK();
      if (schema.ok()) {
        if (!sync) LABSTORE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = OFF"));
        return db;
      }
    }
    // Not a database we can extend (damaged, foreign schema): replace it whole.
  }
  *temp_name = fmt::format("{}{}.{}", kTempPrefix, name, ::getpid());
  LABSTORE_RETURN_IF_ERROR(root.RemoveFile(*temp_name));
  LABSTORE_RETURN_IF_ERROR(root.RemoveFile(*temp_name + "-journal"));
  auto db = SqliteDb::Open(root.path() + "/" + *temp_name, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  // storage.sqlite keeps machinable's page size (SQLite's default, 4 KiB).
  LABSTORE_RETURN_IF_ERROR(SetUpScratchDatabase(*db, sync, /*large_pages=*/!machinable_schema));
  if (machinable_schema) LABSTORE_RETURN_IF_ERROR(CreateMachinableSchema(*db));
  return db;
}

Status FinishDatabase(SafeDir& root, SqliteDb& db, const std::string& temp_name, const std::string& name, bool sync) {
  LABSTORE_RETURN_IF_ERROR(db.Exec("COMMIT"));
  LABSTORE_RETURN_IF_ERROR(db.Close());
  if (!temp_name.empty()) LABSTORE_RETURN_IF_ERROR(root.Rename(temp_name, name, sync));
  return Status::OK();
}

Status WriteRows(const std::string& root_path, SqliteDb& db, const ExportPlan& plan, const std::string& old_root) {
  IndexWriter index(&db);
  LABSTORE_RETURN_IF_ERROR(index.Load());
  if (!old_root.empty() && old_root != root_path) LABSTORE_RETURN_IF_ERROR(index.RebaseRoot(old_root, root_path));
  for (const ExportRemoval& r : plan.removed) {
    LABSTORE_RETURN_IF_ERROR(index.RemoveExperiment(r.id, root_path + "/" + r.folder));
  }
  std::unordered_map<std::string, const ExportItem*> by_id;
  for (const ExportItem& item : plan.items) {
    by_id.emplace(item.e.id, &item);
    auto row = index.AddExperiment(item.e, item.model, root_path + "/" + item.folder);
    if (!row.ok()) return row.status();
  }
  std::unordered_map<std::string, int64_t> latest;  // experiment id -> executions row
  for (const auto& [number, xp] : plan.executions) {
    const ExportItem* storage = by_id.at(xp.storage_member);
    auto row = index.AddExecution(xp.x, root_path + "/" + storage->folder + "/" + xp.folder_name);
    if (!row.ok()) return row.status();
    for (const std::string& m : xp.x.members) {
      if (by_id.count(m)) latest[m] = *row;  // executions ascend: the last one wins
    }
  }
  for (const ExportItem& item : plan.items) {
    auto it = latest.find(item.e.id);
    if (it != latest.end()) LABSTORE_RETURN_IF_ERROR(index.SetExecution(item.e, it->second));
  }
  return Status::OK();
}

std::vector<std::string> PlannedIds(const ExportPlan& plan) {
  std::vector<std::string> ids;
  ids.reserve(plan.items.size());
  for (const ExportItem& item : plan.items) ids.push_back(item.e.id);
  return ids;
}

Status WriteIndex(ExportContext& ctx, const ExportPlan& plan, const std::string& old_root) {
  SafeDir& root = *ctx.root;
  const bool sync = ctx.options->sync;
  std::string temp;
  auto db = OpenDatabase(root, kStorageSqlite, true, sync, &temp);
  if (!db.ok()) return db.status();
  LABSTORE_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  LABSTORE_RETURN_IF_ERROR(WriteRows(root.path(), *db, plan, temp.empty() ? old_root : std::string()));
  std::vector<std::string> ids = PlannedIds(plan);
  std::vector<std::string> removed;
  for (const ExportRemoval& r : plan.removed) removed.push_back(r.id);
  LABSTORE_RETURN_IF_ERROR(RemoveRecordsSql(*db, removed));
  if (ctx.options->records_sql == RecordsSql::kInStorage) LABSTORE_RETURN_IF_ERROR(ExportRecordsSql(ctx, *db, ids));
  LABSTORE_RETURN_IF_ERROR(FinishDatabase(root, *db, temp, kStorageSqlite, sync));

  if (ctx.options->records_sql == RecordsSql::kSeparateFile) {
    auto rdb = OpenDatabase(root, kRecordsSqliteFile, false, sync, &temp);
    if (!rdb.ok()) return rdb.status();
    LABSTORE_RETURN_IF_ERROR(rdb->Exec("BEGIN IMMEDIATE"));
    LABSTORE_RETURN_IF_ERROR(RemoveRecordsSql(*rdb, removed));
    LABSTORE_RETURN_IF_ERROR(ExportRecordsSql(ctx, *rdb, ids));
    LABSTORE_RETURN_IF_ERROR(FinishDatabase(root, *rdb, temp, kRecordsSqliteFile, sync));
  }
  return Status::OK();
}

}  // namespace labstore::internal
