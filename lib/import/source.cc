#include "import/source.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "json/py_json.h"
#include "layout/names.h"
#include "sqlite/sqlite_index.h"
#include "sqlite/sqlite_util.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

// `storage_id` relative to `root`, checked; or a problem.
bool Relative(const std::string& storage_id, const std::string& root, std::string* rel, std::string* problem) {
  std::string prefix = root == "/" ? root : root + "/";
  if (root.empty() || storage_id.size() <= prefix.size() || storage_id.compare(0, prefix.size(), prefix) != 0) {
    *problem = fmt::format("storage id \"{}\" is not below the recorded root \"{}\"", storage_id, root);
    return false;
  }
  *rel = storage_id.substr(prefix.size());
  if (Status s = SafeDir::CheckRelative(*rel); !s.ok()) {
    *problem = fmt::format("storage id \"{}\" escapes the storage: {}", storage_id, s.message());
    return false;
  }
  return true;
}

// An element model from an elements row, as uses.json holds it.
std::string ElementFromRow(const SqliteStmt& s) {
  auto json = [&](int col) {
    if (s.IsNull(col)) return PyJson();
    auto v = ParsePyJson(s.Text(col), "elements");
    return v.ok() ? std::move(*v) : PyJson();
  };
  PyJson module = s.IsNull(1) ? PyJson() : PyJson::String(s.Text(1));
  PyJson e = PyJson::Object({{"module", std::move(module)},
                             {"version", json(3)},
                             {"config", json(2)},
                             {"predicate", json(4)},
                             {"lineage", PyJson::Array({PyJson::String("machinable.element")})}});
  return DumpPyJson(e, PyDialect::kFile);
}

Status ReadSql(const SafeDir& src, const ImportOptions& options, Source* out) {
  auto kind = src.Kind(kStorageSqlite);
  if (!kind.ok()) return kind.status();
  if (*kind == EntryKind::kMissing) return Status::NotFound("storage.sqlite is missing");
  if (*kind != EntryKind::kFile) return Status::InvalidArgument("storage.sqlite is not a regular file");
  auto db = SqliteDb::Open(src.path() + "/" + kStorageSqlite, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  LABSTORE_RETURN_IF_ERROR(CheckMachinableSchema(*db));

  std::vector<std::pair<std::string, std::string>> ids;
  std::vector<SourceExperiment> rows;
  std::vector<int64_t> ancestor_rows;
  std::vector<std::string> storage_ids;
  auto stmt = db->Prepare(
      "SELECT e.id, e.storage_id, e.experiment_id, e.timestamp, e.ancestor_id, g.path, g.pattern, p.name, p.directory "
      "FROM experiments e LEFT JOIN groups g ON g.id = e.group_id LEFT JOIN projects p ON p.id = e.project_id "
      "ORDER BY e.id");
  if (!stmt.ok()) return stmt.status();
  LABSTORE_RETURN_IF_ERROR(stmt->ForEachRow([&](const SqliteStmt& s) {
    SourceExperiment e;
    e.row = s.Int(0);
    e.id = s.Text(2);
    e.timestamp = s.Int(3);
    if (!s.IsNull(5)) e.group = Group{s.Text(5), s.Text(6)};
    if (!s.IsNull(7)) e.project = Project{s.Text(7), s.Text(8)};
    ancestor_rows.push_back(s.IsNull(4) ? 0 : s.Int(4));
    storage_ids.push_back(s.Text(1));
    ids.emplace_back(e.id, s.Text(1));
    rows.push_back(std::move(e));
  }));
  std::unordered_map<int64_t, size_t> by_row;
  for (size_t i = 0; i < rows.size(); ++i) by_row.emplace(rows[i].row, i);

  auto elements = db->Prepare("SELECT experiment_id, module, config, version, predicate FROM elements ORDER BY id");
  if (!elements.ok()) return elements.status();
  std::unordered_map<int64_t, std::vector<std::string>> uses;
  LABSTORE_RETURN_IF_ERROR(
      elements->ForEachRow([&](const SqliteStmt& s) { uses[s.Int(0)].push_back(ElementFromRow(s)); }));

  out->root = options.recorded_root.empty() ? DetectRoot(ids) : options.recorded_root;
  while (out->root.size() > 1 && out->root.back() == '/') out->root.pop_back();
  for (size_t i = 0; i < rows.size(); ++i) {
    SourceExperiment& e = rows[i];
    Relative(storage_ids[i], out->root, &e.folder, &e.problem);
    if (ancestor_rows[i] != 0) {
      auto it = by_row.find(ancestor_rows[i]);
      if (it != by_row.end()) e.ancestor = rows[it->second].id;
    }
    if (auto it = uses.find(e.row); it != uses.end()) {
      e.elements = "[" + fmt::format("{}", fmt::join(it->second, ", ")) + "]";
    }
  }
  out->experiments = std::move(rows);

  auto xs = db->Prepare("SELECT id, storage_id FROM executions ORDER BY id");
  if (!xs.ok()) return xs.status();
  return xs->ForEachRow([&](const SqliteStmt& s) {
    SourceExecution x;
    x.row = s.Int(0);
    std::string rel;
    if (Relative(s.Text(1), out->root, &rel, &x.problem)) {
      x.folder_name = BaseOf(rel);
      x.storage_folder = ParentOf(rel);
    }
    out->executions.push_back(std::move(x));
  });
}

// Experiments found by walking the folders: <id>/ with experiment.json, and
// <folder>/derived/<id>/ below them.
void Scan(const SafeDir& src, const std::string& dir, const std::string& ancestor, Source* out) {
  auto entries = src.List(dir);
  if (!entries.ok()) {
    out->problems.push_back({"", dir, entries.status().message(), true});
    return;
  }
  for (const DirEntry& entry : *entries) {
    if (entry.name.starts_with(".")) continue;
    std::string folder = dir.empty() ? entry.name : dir + "/" + entry.name;
    if (entry.kind == EntryKind::kSymlink) {
      out->problems.push_back({"", folder, "a symbolic link: not followed (it could point outside the storage)", true});
      continue;
    }
    if (entry.kind != EntryKind::kDir) continue;
    auto kind = src.Kind(folder + "/" + kExperimentJson);
    if (!kind.ok() || *kind != EntryKind::kFile) continue;
    SourceExperiment e;
    e.folder = folder;
    e.ancestor = ancestor;
    e.id = entry.name;
    if (auto text = src.Read(folder + "/" + kExperimentJson); text.ok()) {
      if (auto model = ParsePyJson(*text, kExperimentJson); model.ok() && model->is_object()) {
        if (const PyJson* id = model->Find("experiment_id"); id != nullptr && id->is_string()) e.id = id->text();
        if (const PyJson* ts = model->Find("timestamp"); ts != nullptr && ts->AsInt64()) e.timestamp = *ts->AsInt64();
      }
    }
    std::string id = e.id;
    out->experiments.push_back(std::move(e));
    if (auto derived = src.Kind(folder + "/" + kDerivedFolder); derived.ok() && *derived == EntryKind::kDir) {
      Scan(src, folder + "/" + kDerivedFolder, id, out);
    }
  }
}

}  // namespace

std::string DetectRoot(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::map<std::string, size_t> votes;
  std::string fallback;
  for (const auto& [id, storage_id] : rows) {
    std::string suffix = "/" + id;
    if (storage_id.size() < suffix.size() || !storage_id.ends_with(suffix)) continue;
    std::string prefix = storage_id.substr(0, storage_id.size() - suffix.size());
    if (prefix.ends_with("/derived")) {
      // <root>/<ancestor>[/derived/<ancestor>...]/derived/<id>
      std::string p = prefix;
      while (p.ends_with("/derived")) p = ParentOf(p.substr(0, p.size() - 8));
      if (fallback.empty()) fallback = p;
      continue;
    }
    ++votes[prefix.empty() ? "/" : prefix];
  }
  std::string best = fallback;
  size_t most = 0;
  for (const auto& [prefix, n] : votes) {
    if (n > most) {
      best = prefix;
      most = n;
    }
  }
  return best;
}

Result<Source> ReadSource(const SafeDir& src, const ImportOptions& options) {
  Source out;
  Status sql = ReadSql(src, options, &out);
  if (!sql.ok()) {
    out = Source();
    out.scanned = true;
    out.root = options.recorded_root;
    out.problems.push_back({"", std::string(kStorageSqlite),
                            fmt::format("{}; experiments were found by scanning the folders instead "
                                        "(relations from group.json, project.json and the folder nesting)",
                                        sql.message()),
                            false});
    Scan(src, "", "", &out);
    std::stable_sort(out.experiments.begin(), out.experiments.end(),
                     [](const SourceExperiment& a, const SourceExperiment& b) { return a.timestamp < b.timestamp; });
  }

  // Execution folders per experiment: folder name -> experiments holding it.
  std::map<std::string, std::vector<size_t>> holders;
  for (size_t i = 0; i < out.experiments.size(); ++i) {
    const SourceExperiment& e = out.experiments[i];
    if (!e.problem.empty()) continue;
    auto entries = src.List(e.folder);
    if (!entries.ok()) continue;  // reported when the experiment is read
    for (const DirEntry& entry : *entries) {
      if (entry.kind != EntryKind::kDir || !entry.name.starts_with(kExecutionPrefix)) continue;
      auto kind = src.Kind(e.folder + "/" + entry.name + "/" + kExecutionJson);
      if (kind.ok() && *kind == EntryKind::kFile) holders[entry.name].push_back(i);
    }
  }
  if (out.scanned) {
    for (const auto& [name, members] : holders) {
      SourceExecution x;
      x.folder_name = name;
      x.storage_folder = out.experiments[members.back()].folder;
      for (size_t i : members) {
        auto files = src.List(out.experiments[i].folder + "/" + name);
        if (!files.ok()) continue;
        bool has_more = std::any_of(files->begin(), files->end(), [](const DirEntry& f) {
          return f.name == kEnvJson || f.name.starts_with(kResourcesPrefix);
        });
        if (has_more) x.storage_folder = out.experiments[i].folder;
      }
      out.executions.push_back(std::move(x));
    }
  }
  std::map<std::string, bool> used;
  for (SourceExecution& x : out.executions) {
    if (!x.problem.empty()) continue;
    auto it = holders.find(x.folder_name);
    if (it == holders.end()) {
      x.problem = fmt::format("no experiment folder holds {}/execution.json", x.folder_name);
      continue;
    }
    used[x.folder_name] = true;
    std::string last;
    for (size_t i : it->second) {
      if (out.experiments[i].folder == x.storage_folder) {
        last = out.experiments[i].id;
      } else {
        x.members.push_back(out.experiments[i].id);
      }
    }
    if (!last.empty()) x.members.push_back(last);
  }
  for (const auto& [name, members] : holders) {
    if (used.count(name)) continue;
    for (size_t i : members) {
      out.problems.push_back({out.experiments[i].id, out.experiments[i].folder + "/" + name,
                              "execution folder not listed in storage.sqlite; not imported", false});
    }
  }
  return out;
}

}  // namespace labstore::internal

namespace labstore {

namespace {

constexpr const char* kExpected =
    "expected a machinable storage: storage.sqlite, or experiment folders <id>/experiment.json";

}  // namespace

Status internal::CheckStorageFolder(const SafeDir& src) {
  auto sqlite = src.Kind(kStorageSqlite);
  if (sqlite.ok() && *sqlite == EntryKind::kFile) return Status::OK();
  auto entries = src.List("");
  if (!entries.ok()) return entries.status();
  if (entries->empty()) {
    return Status::InvalidArgument(fmt::format("cannot import {}: the folder is empty", src.path()), kExpected);
  }
  for (const DirEntry& entry : *entries) {
    if (entry.kind != EntryKind::kDir || entry.name.starts_with(".")) continue;
    auto kind = src.Kind(entry.name + "/experiment.json");
    if (kind.ok() && *kind == EntryKind::kFile) return Status::OK();
  }
  return Status::InvalidArgument(
      fmt::format("cannot import {}: it is not a machinable storage", src.path()),
      fmt::format("it has no storage.sqlite and no folder with an experiment.json; {}", kExpected));
}

Status CheckImportSource(std::string_view src) {
  std::string path(src);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) {
    return Status::NotFound(fmt::format("cannot import {}: the folder does not exist", path), kExpected);
  }
  auto dir = internal::SafeDir::Open(path, /*create=*/false);
  if (!dir.ok()) {
    if (dir.status().IsInvalidArgument()) {
      return Status::InvalidArgument(fmt::format("cannot import {}: it is not a folder", path), kExpected);
    }
    return dir.status();
  }
  return internal::CheckStorageFolder(*dir);
}

}  // namespace labstore
