// Experiments, statuses and executions as JSON objects for --json output.
#ifndef LABSTORE_TOOLS_EXPERIMENT_JSON_H_
#define LABSTORE_TOOLS_EXPERIMENT_JSON_H_

#include <string>

#include "labstore/labstore.h"

namespace labstore::tool {

// One-word status: "finished"; "running" (heartbeat at most
// kRunningWindowSeconds = 45 s old, three of labstore::Run's 15 s heartbeats);
// "incomplete" (started, not finished, heartbeat older: it died or was
// killed); "started" (never seen: a start always brings a heartbeat);
// "created" (never started).
std::string StatusWord(const ExperimentStatus& st, Timestamp now);

// {"id": ..., "module": ..., "config": {...}, ..., "status": ..., "started_at": [...], ...}
std::string ExperimentJson(const Experiment& e, const ExperimentStatus& st, Timestamp now);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_EXPERIMENT_JSON_H_
