// Finding stored experiments by id or key; shared by every module that works
// on one experiment (markers, records, data, export).
#ifndef LABSTORE_LIB_EXPERIMENT_LOOKUP_H_
#define LABSTORE_LIB_EXPERIMENT_LOOKUP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "store/store_state.h"

namespace labstore::internal {

// The experiment key of a stored id. Errors: InvalidArgument (malformed id),
// NotFound ("no experiment with id ... in store ..."), IOError.
Result<std::string> LookupKey(const StoreState& st, std::string_view id);

// The stored experiment under `key`, with ancestor id and timestamp filled in.
// Errors: NotFound, Corruption, IOError.
Result<Experiment> LoadExperiment(const StoreState& st, std::string_view key);

// Decodes an experiments value stored under `key` and fills in the ancestor.
// Errors: Corruption, IOError.
Result<Experiment> ExperimentFromRecord(const StoreState& st, std::string_view key, std::string_view value);

// Execution `number` as the own part stores it, for a write that rewrites it
// there (`doing` says which, for messages). Errors: NotFound; Busy naming the
// part when another part holds it (a rewritten copy would diverge from it:
// doc/many-writers.md, "As built"); Corruption; IOError.
Result<Execution> LoadOwnExecution(const StoreState& st, uint64_t number, std::string_view doing);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_LOOKUP_H_
