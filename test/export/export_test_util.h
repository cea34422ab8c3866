// Helpers of the export suite: folder trees and SQLite contents as values.
#ifndef LABSTORE_TEST_EXPORT_EXPORT_TEST_UTIL_H_
#define LABSTORE_TEST_EXPORT_EXPORT_TEST_UTIL_H_

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/export.h"
#include "labstore/import.h"
#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore::test {

inline const std::string kGolden = LABSTORE_GOLDEN_DIR;
inline const std::string kGoldenRoot = "/srv/lab/storage";

// Every regular file below `dir` (relative path -> bytes), without
// storage.sqlite / records.sqlite (compared by content) and the manifest.
// Symbolic links appear as "<symlink>".
inline std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = std::filesystem::recursive_directory_iterator(dir);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string rel = std::filesystem::relative(it->path(), dir).string();
    if (rel == "storage.sqlite" || rel == "records.sqlite" || rel == kExportManifest) continue;
    if (it->is_symlink()) {
      out[rel] = "<symlink>";
    } else if (it->is_regular_file()) {
      out[rel] = ReadFile(it->path().string());
    }
  }
  return out;
}

// The rows of `query` as text lines ("a|b|c"), NULL as "NULL", with every
// occurrence of `root` replaced by "ROOT".
inline std::string Query(const std::string& db_path, const std::string& query, const std::string& root = "") {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open " + db_path;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, query.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out = std::string("error: ") + sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i) out += "|";
      const unsigned char* t = sqlite3_column_text(stmt, i);
      std::string cell = t == nullptr ? "NULL" : reinterpret_cast<const char*>(t);
      if (sqlite3_column_type(stmt, i) == SQLITE_FLOAT) cell += "(real)";
      if (!root.empty()) {
        for (size_t p; (p = cell.find(root)) != std::string::npos;) cell.replace(p, root.size(), "ROOT");
      }
      out += cell;
    }
    out += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// machinable's part of a storage.sqlite: user_version, schema and the rows
// of the five tables, with the absolute root replaced.
inline std::string MachinableContent(const std::string& db_path, const std::string& root) {
  std::string out = "user_version " + Query(db_path, "PRAGMA user_version");
  out += Query(db_path,
               "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN "
               "('executions', 'experiments', 'elements', 'groups', 'projects') ORDER BY rowid");
  for (const char* table : {"executions", "experiments", "elements", "groups", "projects"}) {
    out += std::string("-- ") + table + "\n" +
           Query(db_path, std::string("SELECT * FROM ") + table + " ORDER BY id", root);
  }
  return out;
}

// Everything in a database but the absolute root.
inline std::string AllContent(const std::string& db_path, const std::string& root) {
  std::string out = Query(db_path, "SELECT type, name, sql FROM sqlite_master ORDER BY name");
  std::vector<std::string> tables;
  for (const std::string& line : [&] {
         std::vector<std::string> v;
         std::string names =
             Query(db_path, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name");
         size_t start = 0;
         for (size_t nl; (nl = names.find('\n', start)) != std::string::npos; start = nl + 1) {
           v.push_back(names.substr(start, nl - start));
         }
         return v;
       }()) {
    out += "-- " + line + "\n" + Query(db_path, "SELECT * FROM \"" + line + "\" ORDER BY 1, 2, 3", root);
  }
  return out;
}

// A new store with the golden storage imported; fails the test on problems.
inline void ImportGolden(Store& store) {
  auto report = Import(store, kGolden);
  REQUIRE(report.ok());
  INFO(report->ToString());
  REQUIRE(report->clean());
  REQUIRE(report->imported.size() == 5);
}

// A writable copy of the golden storage.
inline std::string CopyGolden(const TempDir& tmp) {
  std::string src = tmp.Sub("src");
  std::filesystem::copy(kGolden, src, std::filesystem::copy_options::recursive);
  return src;
}

inline void Sql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, msg);
}

inline void Append(const std::string& path, const std::string& text) { WriteFile(path, ReadFile(path) + text); }

// The messages of the problems about `id` ("path: message", fatal ones only).
inline std::vector<std::string> Errors(const ImportReport& r, const std::string& id) {
  std::vector<std::string> out;
  for (const ImportProblem& p : r.problems) {
    if (p.fatal && p.experiment_id == id) out.push_back(p.path + ": " + p.message);
  }
  return out;
}

inline bool Contains(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v) {
    if (s.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace labstore::test

#endif  // LABSTORE_TEST_EXPORT_EXPORT_TEST_UTIL_H_
