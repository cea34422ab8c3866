// Pieces of Export shared by lib/export/*.cc.
#ifndef LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_
#define LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "export/manifest.h"
#include "export/safe_dir.h"
#include "export/sqlite_util.h"
#include "labstore/export.h"
#include "labstore/store.h"

namespace labstore::internal {

struct ExportContext {
  Store* store = nullptr;
  const ExportOptions* options = nullptr;
  SafeDir* root = nullptr;
  ExportStats* stats = nullptr;
  std::vector<std::string> warnings;
};

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

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPORT_EXPORT_INTERNAL_H_
