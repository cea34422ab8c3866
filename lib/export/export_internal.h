// Pieces of Export shared by lib/export/*.cc.
#ifndef LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_
#define LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "export/manifest.h"
#include "export/plan.h"
#include "fs/safe_dir.h"
#include "labstore/export.h"
#include "labstore/store.h"
#include "sqlite/sqlite_util.h"

namespace labstore::internal {

struct ExportContext {
  const Store* store = nullptr;
  const ExportOptions* options = nullptr;
  SafeDir* root = nullptr;
  ExportStats* stats = nullptr;
  std::vector<std::string> warnings;
  // Set by WriteExperiment while it writes one folder: prepares the folder's
  // working copy; called before the first file of the folder is written or
  // removed (see BeforeWrite).
  std::function<Status()> before_write;
};

// Calls ctx.before_write, if set. Every write or removal below `base` in
// ExportRecordFiles and ExportDataFiles is preceded by it.
inline Status BeforeWrite(ExportContext& ctx) { return ctx.before_write ? ctx.before_write() : Status::OK(); }

// Names machinable gives meaning to at the top of an experiment folder; a
// stored file may not take them (it would be overwritten or misread).
bool IsReservedFolderName(std::string_view first_segment);

// Writes records/<scope>.jsonl of experiment `id` into `base` (the folder,
// or a fresh temporary folder when `m` is empty), appending only the rows
// that `m` does not list. Updates `m`.
Status ExportRecordFiles(ExportContext& ctx, const std::string& id, const std::string& base, ManifestExperiment* m);

// Writes the stored files of `id` into `base` verbatim, skipping those whose
// content hash `m` lists, removing those `m` lists that are gone. Updates `m`.
Status ExportDataFiles(ExportContext& ctx, const std::string& id, const std::string& base, ManifestExperiment* m);

// Adds the rows of the selected experiments' scopes that `db` does not hold
// yet to the records tables of `db`, and (re)creates the `records` view.
Status ExportRecordsSql(ExportContext& ctx, SqliteDb& db, const std::vector<std::string>& ids);

// Deletes the rows of experiments `ids` from the records tables of `db` and
// their progress rows (experiments deleted from the store); a database
// without records tables is left alone.
Status RemoveRecordsSql(SqliteDb& db, const std::vector<std::string>& ids);

// Opens `name` in the export root for changes: in place when it is a valid
// database of ours, else a new one under a temporary name (*temp_name set)
// that FinishDatabase renames into place after committing.
Result<SqliteDb> OpenDatabase(SafeDir& root, const std::string& name, bool machinable_schema, bool sync,
                              std::string* temp_name);
// Settings for a new database built under a temporary name, read by nobody
// until it is renamed into place: no rollback journal (an interrupted build
// leaves a temporary file that the next export removes), synchronous off
// unless `sync`, and 16 KiB pages if `large_pages` (else SQLite's 4 KiB).
Status SetUpScratchDatabase(SqliteDb& db, bool sync, bool large_pages);
// Commits `db`, closes it and renames `temp_name` (if any) to `name`.
Status FinishDatabase(SafeDir& root, SqliteDb& db, const std::string& temp_name, const std::string& name, bool sync);

// Adds the rows of machinable's five tables for `plan` to `db` (inside the
// caller's transaction), with storage ids below `root_path`; rows already
// there are kept. A non-empty `old_root` different from `root_path` is
// rewritten to it first (a moved export).
Status WriteRows(const std::string& root_path, SqliteDb& db, const ExportPlan& plan, const std::string& old_root);

// The experiment ids of `plan`, in its order.
std::vector<std::string> PlannedIds(const ExportPlan& plan);

// storage.sqlite (and records.sqlite with RecordsSql::kSeparateFile) of an export.
Status WriteIndex(ExportContext& ctx, const ExportPlan& plan, const std::string& old_root);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_
