#include "sqlite/sqlite_index.h"

#include <vector>

#include <fmt/format.h>

#include "util/return_if_error.h"

namespace labstore::internal {

// Whitespace as in machinable's Python source (fs.py:63-122); it ends up in
// sqlite_master.sql, which the golden test compares.
const std::array<const char*, 5> kMachinableDdl = {
    R"(CREATE TABLE executions (
                    id integer PRIMARY KEY,
                    storage_id text NOT NULL,
                    nickname text,
                    module text,
                    config json,
                    version json,
                    predicate json,
                    timestamp real
                ))",
    R"(CREATE TABLE experiments (
                    id integer PRIMARY KEY,
                    storage_id text NOT NULL,
                    module text,
                    config json,
                    version json,
                    predicate json,
                    experiment_id text,
                    seed integer,
                    execution_id integer,
                    timestamp integer,
                    ancestor_id integer,
                    'group_id' integer,
                    project_id integer,
                    FOREIGN KEY (group_id) REFERENCES groups (id)
                    FOREIGN KEY (project_id) REFERENCES projects (id)
                    FOREIGN KEY (execution_id) REFERENCES executions (id)
                    FOREIGN KEY (ancestor_id) REFERENCES experiments (id)
                ))",
    R"(CREATE TABLE elements (
                    id integer PRIMARY KEY,
                    storage_id text,
                    module text,
                    config json,
                    version json,
                    predicate json,
                    experiment_id integer,
                    FOREIGN KEY (experiment_id) REFERENCES experiments (id)
                ))",
    R"(CREATE TABLE groups (
                    id integer PRIMARY KEY,
                    path text,
                    pattern text
                ))",
    R"(CREATE TABLE projects (
                    id integer PRIMARY KEY,
                    directory text,
                    name text NOT NULL UNIQUE
                ))",
};

Status CreateMachinableSchema(SqliteDb& db) {
  for (const char* ddl : kMachinableDdl) LABSTORE_RETURN_IF_ERROR(db.Exec(std::string(ddl) + ";"));
  return db.Exec("PRAGMA user_version = 1;");
}

Status CheckMachinableSchema(SqliteDb& db) {
  auto version = db.QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version != 1) {
    return Status::InvalidArgument(fmt::format("{} has user_version {}", db.path(), *version),
                                   "machinable's storage.sqlite has user_version 1");
  }
  const std::vector<std::pair<const char*, std::vector<std::string>>> tables = {
      {"executions", {"id", "storage_id", "nickname", "module", "config", "version", "predicate", "timestamp"}},
      {"experiments",
       {"id", "storage_id", "module", "config", "version", "predicate", "experiment_id", "seed", "execution_id",
        "timestamp", "ancestor_id", "group_id", "project_id"}},
      {"elements", {"id", "storage_id", "module", "config", "version", "predicate", "experiment_id"}},
      {"groups", {"id", "path", "pattern"}},
      {"projects", {"id", "directory", "name"}},
  };
  for (const auto& [table, columns] : tables) {
    auto stmt = db.Prepare(fmt::format("PRAGMA table_info({})", table));
    if (!stmt.ok()) return stmt.status();
    std::vector<std::string> found;
    LABSTORE_RETURN_IF_ERROR(stmt->ForEachRow([&](const SqliteStmt& s) { found.push_back(s.Text(1)); }));
    if (found != columns) {
      return Status::InvalidArgument(
          fmt::format("{}: table {} {}", db.path(), table, found.empty() ? "is missing" : "has other columns"),
          fmt::format("machinable's {} table has the columns {}", table, fmt::join(columns, ", ")));
    }
  }
  return Status::OK();
}

Status IndexWriter::Load() {
  auto load = [&](std::string_view sql, auto&& each) -> Status {
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    return stmt->ForEachRow(each);
  };
  LABSTORE_RETURN_IF_ERROR(load("SELECT id, experiment_id, execution_id FROM experiments", [&](SqliteStmt& s) {
    experiments_.emplace(s.Text(1), s.Int(0));
    experiment_exec_[s.Text(1)] = s.IsNull(2) ? 0 : s.Int(2);
  }));
  LABSTORE_RETURN_IF_ERROR(load("SELECT id, storage_id FROM executions", [&](SqliteStmt& s) {
    executions_.emplace(s.Text(1), s.Int(0));
  }));
  LABSTORE_RETURN_IF_ERROR(load("SELECT id, path FROM groups ORDER BY id", [&](SqliteStmt& s) {
    groups_.emplace(s.Text(1), s.Int(0));
  }));
  LABSTORE_RETURN_IF_ERROR(load("SELECT id, name FROM projects", [&](SqliteStmt& s) {
    projects_.emplace(s.Text(1), s.Int(0));
  }));
  auto prepare = [&](SqliteStmt* out, std::string_view sql) -> Status {
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    *out = std::move(*stmt);
    return Status::OK();
  };
  // machinable 4.1's INSERT statements, with `seed` named once.
  LABSTORE_RETURN_IF_ERROR(prepare(&insert_group_, "INSERT INTO groups ('pattern', 'path') VALUES (?,?)"));
  LABSTORE_RETURN_IF_ERROR(prepare(&insert_project_, "INSERT INTO projects ('directory', 'name') VALUES (?,?)"));
  LABSTORE_RETURN_IF_ERROR(prepare(&insert_experiment_,
                                   "INSERT INTO experiments( storage_id, module, config, version, predicate, "
                                   "experiment_id, seed, timestamp, 'group_id', project_id, ancestor_id ) "
                                   "VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
  LABSTORE_RETURN_IF_ERROR(prepare(&insert_element_,
                                   "INSERT INTO elements ( storage_id, module, config, version, predicate, "
                                   "experiment_id ) VALUES (?,?,?,?,?,?)"));
  LABSTORE_RETURN_IF_ERROR(prepare(&update_element_, "UPDATE elements SET storage_id=? WHERE id=?"));
  LABSTORE_RETURN_IF_ERROR(prepare(&insert_execution_,
                                   "INSERT INTO executions ( storage_id, nickname, module, config, version, "
                                   "predicate, timestamp ) VALUES (?,?,?,?,?,?,?)"));
  return prepare(&set_execution_, "UPDATE experiments SET execution_id=? WHERE experiment_id=? AND timestamp=?");
}

Status IndexWriter::RebaseRoot(const std::string& from, const std::string& to) {
  for (const char* table : {"experiments", "executions"}) {
    auto stmt = db_->Prepare(fmt::format(
        "UPDATE {} SET storage_id = ?1 || substr(storage_id, length(?2) + 1) "
        "WHERE substr(storage_id, 1, length(?2) + 1) = ?2 || '/'",
        table));
    if (!stmt.ok()) return stmt.status();
    LABSTORE_RETURN_IF_ERROR(stmt->Bind(1, std::string_view(to)).Bind(2, std::string_view(from)).Run());
  }
  // The in-memory maps of executions are keyed by storage_id: reload.
  executions_.clear();
  experiments_.clear();
  experiment_exec_.clear();
  groups_.clear();
  projects_.clear();
  return Load();
}

std::optional<int64_t> IndexWriter::ExperimentRow(std::string_view experiment_id) const {
  auto it = experiments_.find(std::string(experiment_id));
  if (it == experiments_.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> IndexWriter::GroupRow(const Experiment& e) {
  auto it = groups_.find(e.group_path);
  if (it != groups_.end()) return it->second;
  LABSTORE_RETURN_IF_ERROR(
      insert_group_.Bind(1, std::string_view(e.group_pattern)).Bind(2, std::string_view(e.group_path)).Run());
  int64_t id = sqlite3_last_insert_rowid(db_->get());
  groups_.emplace(e.group_path, id);
  return id;
}

Result<int64_t> IndexWriter::ProjectRow(const Experiment& e) {
  auto it = projects_.find(e.project);
  if (it != projects_.end()) return it->second;
  LABSTORE_RETURN_IF_ERROR(
      insert_project_.Bind(1, std::string_view(e.project_directory)).Bind(2, std::string_view(e.project)).Run());
  int64_t id = sqlite3_last_insert_rowid(db_->get());
  projects_.emplace(e.project, id);
  return id;
}

Result<int64_t> IndexWriter::AddExperiment(const Experiment& e, const ExperimentModel& m,
                                           const std::string& storage_id) {
  if (auto row = ExperimentRow(e.id)) return *row;
  auto group = GroupRow(e);
  if (!group.ok()) return group.status();
  auto project = ProjectRow(e);
  if (!project.ok()) return project.status();
  std::optional<int64_t> ancestor;
  if (!e.ancestor.empty()) ancestor = ExperimentRow(e.ancestor);
  std::string config = DumpPyJson(m.config, PyDialect::kSql);
  std::string version = DumpPyJson(m.version, PyDialect::kSql);
  std::string predicate = DumpPyJson(m.predicate, PyDialect::kSql);
  insert_experiment_.Bind(1, std::string_view(storage_id))
      .Bind(2, std::string_view(e.module))
      .Bind(3, std::string_view(config))
      .Bind(4, std::string_view(version))
      .Bind(5, std::string_view(predicate))
      .Bind(6, std::string_view(e.id))
      .Bind(7, int64_t{e.seed})
      .Bind(8, e.timestamp)
      .Bind(9, *group)
      .Bind(10, *project)
      .Bind(11, ancestor);
  LABSTORE_RETURN_IF_ERROR(insert_experiment_.Run());
  int64_t id = sqlite3_last_insert_rowid(db_->get());
  experiments_.emplace(e.id, id);
  experiment_exec_[e.id] = 0;
  // elements: one row per used element; storage_id is the text of its own id.
  for (const PyJson& element : m.uses.items()) {
    auto text = [&](std::string_view key) {
      const PyJson* v = element.Find(key);
      return DumpPyJson(v != nullptr ? *v : PyJson(), PyDialect::kSql);
    };
    const PyJson* module = element.Find("module");
    insert_element_.BindNull(1);
    if (module != nullptr && module->is_string()) {
      insert_element_.Bind(2, std::string_view(module->text()));
    } else if (module == nullptr || module->is_null()) {
      insert_element_.BindNull(2);
    } else {
      insert_element_.Bind(2, std::string_view(text("module")));
    }
    std::string config_text = text("config"), version_text = text("version"), predicate_text = text("predicate");
    insert_element_.Bind(3, std::string_view(config_text))
        .Bind(4, std::string_view(version_text))
        .Bind(5, std::string_view(predicate_text))
        .Bind(6, id);
    LABSTORE_RETURN_IF_ERROR(insert_element_.Run());
    int64_t element_id = sqlite3_last_insert_rowid(db_->get());
    std::string own = std::to_string(element_id);
    LABSTORE_RETURN_IF_ERROR(update_element_.Bind(1, std::string_view(own)).Bind(2, element_id).Run());
  }
  return id;
}

Result<int64_t> IndexWriter::AddExecution(const Execution& x, const std::string& storage_id) {
  auto it = executions_.find(storage_id);
  if (it != executions_.end()) return it->second;
  auto sql = [&](const std::string& text, const char* fallback, const char* what) {
    return ToPyDialect(text.empty() ? fallback : text, PyDialect::kSql, what);
  };
  auto config = sql(x.config, "null", "an execution's config");
  if (!config.ok()) return config.status();
  auto version = sql(x.version, "[]", "an execution's version");
  if (!version.ok()) return version.status();
  auto predicate = sql(x.predicate, "null", "an execution's predicate");
  if (!predicate.ok()) return predicate.status();
  insert_execution_.Bind(1, std::string_view(storage_id))
      .Bind(2, std::string_view(x.nickname))
      .Bind(3, std::string_view(x.module))
      .Bind(4, std::string_view(*config))
      .Bind(5, std::string_view(*version))
      .Bind(6, std::string_view(*predicate))
      .Bind(7, x.timestamp);
  LABSTORE_RETURN_IF_ERROR(insert_execution_.Run());
  int64_t id = sqlite3_last_insert_rowid(db_->get());
  executions_.emplace(storage_id, id);
  return id;
}

Status IndexWriter::RemoveExperiment(std::string_view experiment_id, const std::string& storage_id) {
  if (auto row = ExperimentRow(experiment_id)) {
    for (const char* sql : {"DELETE FROM elements WHERE experiment_id = ?", "DELETE FROM experiments WHERE id = ?"}) {
      auto stmt = db_->Prepare(sql);
      if (!stmt.ok()) return stmt.status();
      LABSTORE_RETURN_IF_ERROR(stmt->Bind(1, *row).Run());
    }
    experiments_.erase(std::string(experiment_id));
    experiment_exec_.erase(std::string(experiment_id));
  }
  auto stmt = db_->Prepare("DELETE FROM executions WHERE substr(storage_id, 1, length(?1) + 1) = ?1 || '/'");
  if (!stmt.ok()) return stmt.status();
  LABSTORE_RETURN_IF_ERROR(stmt->Bind(1, std::string_view(storage_id)).Run());
  for (auto it = executions_.begin(); it != executions_.end();) {
    bool below = it->first.size() > storage_id.size() && it->first.starts_with(storage_id) &&
                 it->first[storage_id.size()] == '/';
    it = below ? executions_.erase(it) : std::next(it);
  }
  return Status::OK();
}

Status IndexWriter::SetExecution(const Experiment& e, int64_t execution_row) {
  auto it = experiment_exec_.find(e.id);
  if (it != experiment_exec_.end() && it->second == execution_row) return Status::OK();
  LABSTORE_RETURN_IF_ERROR(
      set_execution_.Bind(1, execution_row).Bind(2, std::string_view(e.id)).Bind(3, e.timestamp).Run());
  experiment_exec_[e.id] = execution_row;
  return Status::OK();
}

}  // namespace labstore::internal
