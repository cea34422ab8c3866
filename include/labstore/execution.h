// labstore/execution.h — executions: one launch of one or more experiments.
//
// As in machinable (doc/format.md, "Export"): an execution has a nickname, a float
// epoch timestamp, the host info at construction, its member experiments in
// order, computed resources per member, and the host info at dispatch (env)
// per member. Re-launching an experiment creates a new execution; all are kept.
//
//   auto x = store.CreateExecution({.members = {"rm3SAJ"},
//                                   .host_info = R"({"hostname": "lab1"})"});
#ifndef LABSTORE_EXECUTION_H_
#define LABSTORE_EXECUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace labstore {

// The lineage machinable 4.1 writes for an Execution.
inline constexpr const char* kDefaultExecutionLineage = R"(["machinable.element"])";

struct ExecutionSpec {
  // Stored experiment ids, in launch order; at least one.
  std::vector<std::string> members;
  // JSON object describing the host (machinable's host_info). Default "{}".
  std::string host_info = "{}";
  // "<colour>_<animal>"; generated when empty.
  std::string nickname;
  // Float epoch seconds with microseconds; now when unset.
  std::optional<double> timestamp;
  // machinable's execution module. Default "machinable.execution".
  std::string module = "machinable.execution";
  // (member id, JSON object) computed resources; members not listed get "{}".
  std::vector<std::pair<std::string, std::string>> resources;
  // The execution's own element fields as machinable writes them into
  // execution.json (JSON texts; the defaults are what machinable 4.1 writes for
  // a plain Execution). `requested_resources` is execution.json's "resources":
  // what the execution was asked to provide, not the computed resources above.
  std::string version = "[]";                        // JSON array
  std::string config = "null";                       // any JSON
  std::string predicate = "null";                    // any JSON
  std::string lineage = kDefaultExecutionLineage;    // JSON array of strings
  std::string requested_resources = "null";          // any JSON
};

struct Execution {
  // Increasing in creation order, unique in the store across writer processes:
  // (unix_micros << 12) | writer part (doc/many-writers.md); stores written
  // before have 1, 2, ... which sort first.
  uint64_t number = 0;
  std::string module;
  std::string nickname;
  double timestamp = 0;
  std::string host_info;
  std::vector<std::string> members;
  std::vector<std::pair<std::string, std::string>> resources;  // member -> JSON
  std::vector<std::pair<std::string, std::string>> env;        // member -> JSON
  // As in ExecutionSpec, minified (separators "," and ":").
  std::string version;
  std::string config;
  std::string predicate;
  std::string lineage;
  std::string requested_resources;
};

}  // namespace labstore

#endif  // LABSTORE_EXECUTION_H_
