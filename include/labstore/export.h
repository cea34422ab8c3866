// labstore/export.h — writing a store out as machinable's storage folder.
//
// Export() materializes experiments as exactly the folder tree and
// storage.sqlite that machinable 4.1 writes (layout: doc/format.md,
// "Export"), so that machinable itself, sqlite3, pandas or DuckDB can read
// them, plus — beyond machinable — the records as SQL tables:
//
//   auto stats = labstore::Export(store, "/data/storage");
//   if (!stats.ok()) { std::puts(stats.status().ToString().c_str()); return 1; }
//   // $ sqlite3 /data/storage/storage.sqlite "SELECT experiment_id, AVG(loss)
//   //       FROM records WHERE scope = 'default' GROUP BY experiment_id"
//
// On demand and incremental: exporting again to the same destination writes
// only what changed since (new experiments, markers, executions, record rows,
// data files); a file that did not change is not touched. Experiments deleted
// from the store since (Store::Delete) lose their folder (derived/ folders
// inside it too) and their storage.sqlite rows (experiments, elements,
// executions stored in their folder, records); folders the manifest does not
// list are never removed. What was written is
// listed in <dest>/.labstore-export (the manifest).
//
// Crash safety: every file is written under a temporary name and renamed
// into place; a new experiment folder is built complete under a temporary name
// and renamed; an existing one is changed in a hard-linked copy that is then
// exchanged with it in one step (renameat2 RENAME_EXCHANGE); storage.sqlite is
// created under a temporary name and later changed in one SQLite transaction.
// An export killed at any moment leaves each experiment folder and
// storage.sqlite either as before or as after, never a mix, plus temporary
// names (".labstore-tmp.*") that the next export removes; exporting again
// completes the work.
//
// Confinement: nothing is written outside `dest`. Ids, scope names and file
// paths are checked again before they become paths, and symbolic links below
// `dest` are never followed (an export that meets one fails naming it).
//
// Thread safety: Export may run while writers append to the store; it
// exports what is stored when each piece is read. It uses
// ExportOptions::threads threads of its own for the folders. Two exports into the same
// destination at once: the second fails with Busy.
#ifndef LABSTORE_EXPORT_H_
#define LABSTORE_EXPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/progress.h"
#include "labstore/status.h"

namespace labstore {

class Store;

// Where the records go as SQL tables (see doc/format.md, "Records as SQL").
enum class RecordsSql {
  kNone,          // only records/<scope>.jsonl
  kInStorage,     // tables in storage.sqlite, next to machinable's five
  kSeparateFile,  // tables in <dest>/records.sqlite
};

struct ExportOptions {
  // Ids of the experiments to export; their ancestors are exported too (a
  // derived experiment's folder lives inside its ancestor's). Empty: all.
  std::vector<std::string> experiments;
  // Export into a non-empty directory that is not a labstore export (e.g. a
  // storage written by machinable: new experiments are added to it, files
  // labstore writes are replaced). Default false: such a `dest` is refused.
  bool force = false;
  // Default kInStorage.
  RecordsSql records_sql = RecordsSql::kInStorage;
  // Threads that write experiment folders (files and JSON lines); the SQL
  // part runs on one. Default 0: one per core, at most 8.
  unsigned threads = 0;
  // fsync every file and folder written, and storage.sqlite at its commit:
  // the export then also survives a machine crash. Slower. Default false
  // (survives a killed process, not a power loss).
  bool sync = false;
  // Called after each experiment folder (stage "folders", done/total in
  // experiments, rows = JSON lines written) and as the SQL part advances
  // (stage "sql"). See labstore/progress.h. Default: none.
  ProgressCallback progress;
};

struct ExportStats {
  uint64_t experiments = 0;          // experiments in this export
  uint64_t experiments_added = 0;    // of which exported for the first time
  uint64_t files_written = 0;        // files (re)written, records files included
  uint64_t files_unchanged = 0;      // files already up to date
  uint64_t files_removed = 0;        // data files deleted from the store since
  uint64_t experiments_removed = 0;  // folders of experiments deleted from the store since (Store::Delete)
  uint64_t record_rows = 0;          // rows written into records/*.jsonl
  uint64_t record_sql_rows = 0;      // rows inserted into the records tables
  uint64_t bytes_written = 0;        // bytes of the files written
  // What was left out, one sentence each (e.g. a stored file named like one
  // of machinable's own files, "experiment.json" or "records/...").
  std::vector<std::string> warnings;
};

// The manifest of an export, in `dest`.
inline constexpr const char* kExportManifest = ".labstore-export";
// The records database with RecordsSql::kSeparateFile, in `dest`.
inline constexpr const char* kRecordsSqliteFile = "records.sqlite";

// Exports `store` into `dest` (created if missing).
// Errors:
//  - InvalidArgument: the store is closed; `dest` is not empty and not a
//    labstore export (and not `force`); a symbolic link below `dest`; an id
//    in options.experiments that is malformed; a stored name that cannot be
//    a path;
//  - NotFound: an id in options.experiments is not in the store;
//  - Busy: another export into `dest` is running;
//  - IOError / Corruption: from the file system, SQLite or the store.
// After an error, what was written stays consistent (see crash safety) and
// exporting again completes it.
Result<ExportStats> Export(const Store& store, std::string_view dest, const ExportOptions& options = {});

// Writes only the SQLite view of `store` into `file`: machinable's five
// tables, with storage ids as if the folder of `file` were the export root,
// and the records as SQL tables (unless options.records_sql is kNone; the
// records always go into `file` itself). No experiment folders are written.
//   auto stats = labstore::ExportSqlite(store, "results.sqlite");
// The file is built under a temporary name next to it and renamed into place.
// options.experiments, force (replace an existing `file`), sync and progress
// apply; threads does not. Errors:
//  - InvalidArgument: the store is closed; `file` exists (and not `force`),
//    or is a folder, or is not a file name; an id in options.experiments
//    that is malformed;
//  - NotFound: an id in options.experiments is not in the store;
//  - IOError / Corruption: from the file system, SQLite or the store.
Result<ExportStats> ExportSqlite(const Store& store, std::string_view file, const ExportOptions& options = {});

}  // namespace labstore

#endif  // LABSTORE_EXPORT_H_
