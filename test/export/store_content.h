// A store's content as comparable text: one string per experiment holding
// everything a user can read of it (fields, markers, output, records, files,
// executions). Shared by the import crash suite and the mixed concurrency test.
#ifndef LABSTORE_TEST_EXPORT_STORE_CONTENT_H_
#define LABSTORE_TEST_EXPORT_STORE_CONTENT_H_

#include <map>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "labstore/labstore.h"

namespace labstore::test {

// Everything readable of experiment `id` (its executions too, unless
// `executions` is false); "<NotFound>" etc. when it cannot be read.
inline std::string ExperimentContent(Store& store, const std::string& id, bool executions = true) {
  auto e = store.Find(id);
  if (!e.ok()) return std::string("<") + Status::CodeName(e.status().code()) + ">";
  std::string out = fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {}\n", e->id, e->module, e->config, e->version,
                                e->predicate, e->uses, e->seed, e->timestamp, e->group_path, e->project,
                                e->project_directory, e->ancestor, e->ancestor_timestamp);
  auto status = store.GetStatus(id);
  REQUIRE_MESSAGE(status.ok(), status.status().ToString());
  for (const Timestamp& t : status->started_at) out += fmt::format("started {}\n", FormatIso(t));
  if (status->finished_at) out += fmt::format("finished {}\n", FormatIso(*status->finished_at));
  if (status->heartbeat_at) out += fmt::format("heartbeat {}\n", FormatIso(*status->heartbeat_at));
  out += "output " + store.ReadOutput(id).value() + "\n";
  auto scopes = ListScopes(store, id);
  REQUIRE_MESSAGE(scopes.ok(), scopes.status().ToString());
  for (const ScopeInfo& s : *scopes) {
    auto lines = ToJsonLines(store, id, s.name);
    REQUIRE_MESSAGE(lines.ok(), lines.status().ToString());
    out += fmt::format("scope {} rows {}\n{}", s.name, s.rows, *lines);
  }
  auto files = ListFiles(store, id);
  REQUIRE_MESSAGE(files.ok(), files.status().ToString());
  for (const FileInfo& f : *files) {
    auto bytes = LoadFile(store, id, f.path);
    REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
    out +=
        fmt::format("file {} {} {} {}\n", f.path, f.size, f.content_hash, bytes->size() == f.size ? "whole" : "SHORT");
  }
  if (!executions) return out;
  auto list = store.Executions(id);
  REQUIRE_MESSAGE(list.ok(), list.status().ToString());
  for (const Execution& x : *list) {
    out += fmt::format("execution {} {} {} {} members", x.module, x.nickname, x.timestamp, x.host_info);
    for (const auto& m : x.members) out += " " + m;
    for (const auto& [m, r] : x.resources) out += " resources " + m + " " + r;
    for (const auto& [m, v] : x.env) out += " env " + m + " " + v;
    out += "\n";
  }
  return out;
}

// id -> ExperimentContent for every stored experiment.
inline std::map<std::string, std::string> StoreContent(Store& store) {
  auto all = store.List();
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  std::map<std::string, std::string> out;
  for (const Experiment& e : *all) {
    CHECK_MESSAGE(out.count(e.id) == 0, "experiment " << e.id << " is listed twice");
    out[e.id] = ExperimentContent(store, e.id);
  }
  return out;
}

// CHECKs that two maps (of contents, of files) are equal; on a difference
// names the first key that differs with both values.
inline void CheckSameMaps(const std::map<std::string, std::string>& got, const std::map<std::string, std::string>& want,
                          const std::string& what) {
  CHECK_MESSAGE(got.size() == want.size(), what << ": " << got.size() << " entries, expected " << want.size());
  for (const auto& [key, value] : want) {
    auto it = got.find(key);
    if (it == got.end()) {
      FAIL_CHECK(what << ": " << key << " is missing");
      return;
    }
    if (it->second != value) {
      FAIL_CHECK(what << ": " << key << " differs:\n--- got\n" << it->second.substr(0, 2000) << "\n--- expected\n"
                      << value.substr(0, 2000));
      return;
    }
  }
}

}  // namespace labstore::test

#endif  // LABSTORE_TEST_EXPORT_STORE_CONTENT_H_
