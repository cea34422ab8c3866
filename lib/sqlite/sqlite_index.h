// machinable's storage.sqlite (doc/format.md): the five tables, their DDL verbatim,
// PRAGMA user_version = 1, and the rows export writes into them.
//
//   executions  (id, storage_id, nickname, module, config, version, predicate, timestamp)
//   experiments (id, storage_id, module, config, version, predicate, experiment_id,
//                seed, execution_id, timestamp, ancestor_id, group_id, project_id)
//   elements    (id, storage_id = text of id, module, config, version, predicate,
//                experiment_id = experiments.id)
//   groups      (id, path, pattern)          one row per path, first pattern wins
//   projects    (id, directory, name UNIQUE) one row per name
//
// storage_id values are absolute: <root>/<id>, <ancestor storage_id>/derived/<id>,
// <last member's storage_id>/execution-<suffix>. config, version and predicate
// are JSON text in the SQL dialect (json/py_json.h).
//
// IndexWriter adds rows for what a database does not hold yet, reading the
// database itself to know what it holds (experiments by experiment_id,
// executions by storage_id, groups by path, projects by name), so that a
// re-export after a crash never duplicates a row.
#ifndef LABSTORE_LIB_SQLITE_SQLITE_INDEX_H_
#define LABSTORE_LIB_SQLITE_SQLITE_INDEX_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "layout/layout.h"
#include "layout/names.h"
#include "sqlite/sqlite_util.h"

namespace labstore::internal {

// The CREATE TABLE statements of fs.py:63-122, byte for byte as they appear in
// sqlite_master.sql, in machinable's order.
extern const std::array<const char*, 5> kMachinableDdl;

// Runs the DDL and sets user_version = 1. Errors: as SqliteDb::Exec.
Status CreateMachinableSchema(SqliteDb& db);

// OK when `db` has user_version 1 and the five tables with machinable's
// columns in order; InvalidArgument naming what differs otherwise.
Status CheckMachinableSchema(SqliteDb& db);

class IndexWriter {
 public:
  explicit IndexWriter(SqliteDb* db) : db_(db) {}

  // Reads what the database holds and prepares the statements.
  Status Load();

  // Rewrites the storage_id prefix `from` to `to` (the export was moved).
  Status RebaseRoot(const std::string& from, const std::string& to);

  // The experiments row id of `experiment_id`, if it has a row.
  std::optional<int64_t> ExperimentRow(std::string_view experiment_id) const;

  // Inserts the experiments row of `e` (and its group, project and elements
  // rows when new); returns its id. Errors: IOError.
  Result<int64_t> AddExperiment(const Experiment& e, const ExperimentModel& m, const std::string& storage_id);

  // The executions row with `storage_id`, inserted when missing.
  Result<int64_t> AddExecution(const Execution& x, const std::string& storage_id);

  // Deletes the experiments row of `experiment_id` with its elements rows,
  // and every executions row stored below `storage_id` (an experiment
  // deleted from the store). Missing rows are not an error. Errors: IOError.
  Status RemoveExperiment(std::string_view experiment_id, const std::string& storage_id);

  // Points the experiment's execution_id at `execution_row` (machinable's
  // UPDATE ... WHERE experiment_id=? AND timestamp=?) unless it already does.
  Status SetExecution(const Experiment& e, int64_t execution_row);

 private:
  Result<int64_t> GroupRow(const Experiment& e);
  Result<int64_t> ProjectRow(const Experiment& e);

  SqliteDb* db_;
  std::unordered_map<std::string, int64_t> experiments_;       // experiment_id -> id
  std::unordered_map<std::string, int64_t> experiment_exec_;   // experiment_id -> execution_id (0: NULL)
  std::unordered_map<std::string, int64_t> executions_;        // storage_id -> id
  std::unordered_map<std::string, int64_t> groups_;            // path -> id
  std::unordered_map<std::string, int64_t> projects_;          // name -> id
  SqliteStmt insert_experiment_, insert_element_, update_element_, insert_execution_, set_execution_;
  SqliteStmt insert_group_, insert_project_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_SQLITE_SQLITE_INDEX_H_
