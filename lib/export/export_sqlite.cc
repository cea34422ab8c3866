// ExportSqlite: the SQLite view of a store alone, in one file (labstore/export.h).
//
// The file is built under a temporary name in its folder and renamed into
// place after its one transaction commits, so a reader sees no file, the old
// file, or the complete new one.
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "export/export_internal.h"
#include "sqlite/sqlite_index.h"
#include "store/store_state.h"
#include "util/return_if_error.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements the public ExportSqlite over internal pieces

namespace {

Status WriteSqlite(ExportContext& ctx, const std::string& temp, const ExportPlan& plan) {
  SafeDir& root = *ctx.root;
  auto db = SqliteDb::Open(root.path() + "/" + temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  LABSTORE_RETURN_IF_ERROR(SetUpScratchDatabase(*db, ctx.options->sync, /*large_pages=*/true));
  LABSTORE_RETURN_IF_ERROR(CreateMachinableSchema(*db));
  LABSTORE_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  LABSTORE_RETURN_IF_ERROR(WriteRows(root.path(), *db, plan, ""));
  if (ctx.options->records_sql != RecordsSql::kNone) {
    LABSTORE_RETURN_IF_ERROR(ExportRecordsSql(ctx, *db, PlannedIds(plan)));
  }
  LABSTORE_RETURN_IF_ERROR(db->Exec("COMMIT"));
  return db->Close();
}

}  // namespace

Result<ExportStats> ExportSqlite(const Store& store, std::string_view file, const ExportOptions& options) {
  const internal::StoreState* st = internal::StateOf(store);
  if (st == nullptr || !st->db) return Status::InvalidArgument("store is closed");
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path = fs::absolute(fs::path(file), ec).lexically_normal();
  if (ec || file.empty()) return Status::InvalidArgument(fmt::format("invalid SQLite file name \"{}\"", file));
  std::string name = path.filename().string();
  if (name.empty() || name == "." || name == ".." || name.starts_with(kTempPrefix)) {
    return Status::InvalidArgument(fmt::format("invalid SQLite file name \"{}\"", file), "it must name a file");
  }
  auto root = SafeDir::Open(path.parent_path().string(), /*create=*/true);
  if (!root.ok()) return root.status();
  auto kind = root->Kind(name);
  if (!kind.ok()) return kind.status();
  if (*kind != EntryKind::kMissing) {
    if (*kind != EntryKind::kFile) {
      return Status::InvalidArgument(fmt::format("{} exists and is not a regular file", path.string()));
    }
    if (!options.force) {
      return Status::InvalidArgument(fmt::format("{} exists", path.string()),
                                     "remove it, choose another file, or set ExportOptions::force to replace it");
    }
  }
  auto plan = PlanExport(store, options);
  if (!plan.ok()) return plan.status();
  ExportStats stats;
  stats.experiments = plan->items.size();
  stats.experiments_added = plan->items.size();
  ExportContext ctx{.store = &store, .options = &options, .root = &*root, .stats = &stats};
  const std::string temp = fmt::format("{}{}.{}", kTempPrefix, name, ::getpid());
  LABSTORE_RETURN_IF_ERROR(root->RemoveFile(temp));
  LABSTORE_RETURN_IF_ERROR(root->RemoveFile(temp + "-journal"));
  Status s = WriteSqlite(ctx, temp, *plan);
  if (s.ok()) s = root->Rename(temp, name, options.sync);
  if (!s.ok()) {
    (void)root->RemoveFile(temp);
    (void)root->RemoveFile(temp + "-journal");
    return s;
  }
  auto size = root->Size(name);
  if (size.ok()) stats.bytes_written = *size;
  stats.files_written = 1;
  stats.warnings = std::move(ctx.warnings);
  return stats;
}

}  // namespace labstore
