// What an export writes: the selected experiments in commit order with their
// folders, and the executions they belong to.
#ifndef LABSTORE_LIB_EXPORT_PLAN_H_
#define LABSTORE_LIB_EXPORT_PLAN_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/export.h"
#include "labstore/store.h"
#include "layout/layout.h"

namespace labstore::internal {

struct ExportItem {
  Experiment e;
  uint64_t sequence = 0;
  std::string folder;                // relative to dest: <id> or <ancestor folder>/derived/<id>
  ExperimentModel model;
  std::vector<uint64_t> executions;  // numbers, ascending
};

struct ExecutionPlan {
  Execution x;
  std::string folder_name;     // execution-<suffix>
  std::string storage_member;  // last member that is exported (holds resources and env, as in machinable)
};

// An experiment deleted from the store whose folder an earlier export wrote.
struct ExportRemoval {
  std::string id;
  std::string folder;  // relative to dest, as the manifest has it
};

struct ExportPlan {
  std::vector<ExportItem> items;                 // ancestors before their derived experiments
  std::map<uint64_t, ExecutionPlan> executions;  // by number
  std::vector<ExportRemoval> removed;            // set by Export: folders and rows to remove
};

// Every stored experiment (or options.experiments and their ancestors) and
// their executions. Errors: InvalidArgument (a malformed id), NotFound (an
// unknown id), Corruption (stored values that cannot be exported).
Result<ExportPlan> PlanExport(const Store& store, const ExportOptions& options);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPORT_PLAN_H_
