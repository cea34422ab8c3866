// Experiments, statuses and executions as JSON objects for --json output.
#ifndef LABSTORE_TOOLS_EXPERIMENT_JSON_H_
#define LABSTORE_TOOLS_EXPERIMENT_JSON_H_

#include <string>

#include "labstore/labstore.h"

namespace labstore::tool {

// One-word status: "finished", "active", "incomplete", "started", "created".
std::string StatusWord(const ExperimentStatus& st, Timestamp now);

// {"id": ..., "module": ..., "config": {...}, ..., "status": ..., "started_at": [...], ...}
std::string ExperimentJson(const Experiment& e, const ExperimentStatus& st, Timestamp now);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_EXPERIMENT_JSON_H_
