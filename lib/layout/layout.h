// The files machinable 4.1 writes for an experiment, made from labstore's
// Experiment and Execution (doc/format.md, "Export").
//
//   <folder>/experiment.json   module, version, config, predicate, lineage,
//                              experiment_id, timestamp, seed, derived_from_id,
//                              derived_from_timestamp                    (FILE)
//   <folder>/project.json      module=null, version=[], config=null, predicate=null,
//                              lineage, directory, name, code_version, code_diff,
//                              host_info (all three null)                (FILE)
//   <folder>/group.json        module "machinable.group", …, pattern, path (FILE)
//   <folder>/uses.json         the uses array                            (FILE)
//   <folder>/started_at        FormatIso(t) "\n" per start
//   <folder>/heartbeat_at      FormatIso(t), no newline
//   <folder>/finished_at       FormatIso(t), no newline
//   <folder>/execution-<suffix>/execution.json   in every member's folder (FILE)
//   <folder>/execution-<suffix>/resources-<id>.json, env.json
//                              in the LAST member's folder only (as machinable 4.1 does)
//   suffix := strftime("%Y-%m-%dT%H%M%S_%f", UTC of the float timestamp) "_0000"
//
// An experiment made with a config but no version (from C++; machinable's
// own always carry "_raw_", "_version_", "_update_" in their config) is
// written as machinable writes Experiment.get(module, config): version
// [config], and the config gets "_raw_": config, "_version_": [config],
// "_update_": config. machinable's get(module, config) and get(module,
// version) then find it whenever the config names every field of the
// module's Config with the value pydantic gives it (2.0, not 2, for a float).
//
// The predicate is the stored one; an experiment stored without one gets
// machinable's compute_predicate() (element.py) made from its config and
// version: config_update / config_update_ from config["_update_"] (else the
// merged dict entries of the version), config / config_ from the config
// without "_raw_", "_version_", "_update_", version / version_ from
// config["_version_"] (else the version); the un-suffixed keys drop every key
// ending in '_' (in nested objects too), `version` also drops strings ending
// in '_' and entries that become {}. Custom predicates (on_compute_predicate)
// cannot be known and are absent.
#ifndef LABSTORE_LIB_LAYOUT_LAYOUT_H_
#define LABSTORE_LIB_LAYOUT_LAYOUT_H_

#include <string>
#include <string_view>
#include <vector>

#include "json/py_json.h"
#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/time.h"

namespace labstore::internal {

// The JSON fields of an experiment, parsed once.
struct ExperimentModel {
  PyJson config;     // object
  PyJson version;    // array
  PyJson predicate;  // stored or derived
  PyJson uses;       // array
  PyJson lineage;    // array of strings (kDefaultLineage when not stored)
};

// Parses the JSON texts of `e`, deriving the predicate when it is empty.
// Errors: InvalidArgument naming the field (Corruption would be a stored
// value that is not JSON; callers report either).
Result<ExperimentModel> ModelOf(const Experiment& e);

// machinable's compute_predicate() for a config and version (see above).
PyJson DerivePredicate(const PyJson& config, const PyJson& version);

std::string ExperimentJson(const Experiment& e, const ExperimentModel& m);
std::string ProjectJson(const Experiment& e);
std::string GroupJson(const Experiment& e);
std::string UsesJson(const ExperimentModel& m);

std::string StartedAtFile(const std::vector<Timestamp>& starts);
std::string InstantFile(Timestamp t);  // heartbeat_at, finished_at

// "execution-2023-02-24T150002_345678_0000" for 1677250802.345678: the UTC
// time of the float, microseconds rounded half-even as Python's
// datetime.utcfromtimestamp does.
std::string ExecutionFolder(double timestamp);

// execution.json of `x`. Errors: InvalidArgument when host_info is not JSON.
Result<std::string> ExecutionJson(const Execution& x);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_LAYOUT_LAYOUT_H_
