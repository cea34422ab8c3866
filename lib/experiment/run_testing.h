// Test hooks of Run (labstore/run.h). Private to lib/ and its tests.
#ifndef LABSTORE_LIB_EXPERIMENT_RUN_TESTING_H_
#define LABSTORE_LIB_EXPERIMENT_RUN_TESTING_H_

#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

// Makes every later background heartbeat of `experiment_id` (in any Run of
// this process) return `failure` instead of writing; an OK status removes the
// injection. For tests of Run's error reporting. Thread-safe.
void InjectHeartbeatFailure(std::string_view experiment_id, Status failure);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_RUN_TESTING_H_
