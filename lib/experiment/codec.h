// Encoding of the `experiments` value (lib/schema/experiment.fbs) to and from
// the public Experiment, and of the `executions` value.
#ifndef LABSTORE_LIB_EXPERIMENT_CODEC_H_
#define LABSTORE_LIB_EXPERIMENT_CODEC_H_

#include <string>
#include <string_view>

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/status.h"

namespace labstore::internal {

struct StoredExperiment {
  Experiment experiment;
  std::string ancestor_key;
  uint64_t sequence = 0;
};

std::string EncodeExperiment(const Experiment& e, std::string_view ancestor_key, uint64_t sequence);
// Errors: Corruption naming `key` when the bytes are not a valid record.
Result<StoredExperiment> DecodeExperiment(std::string_view key, std::string_view value);

// The `executions` column family (lib/schema/execution.fbs):
//   key := number(8, big-endian)   value := ExecutionRecord
std::string NumberKey(uint64_t number);
std::string EncodeExecution(const Execution& x);
// Errors: Corruption naming the execution when the bytes are not a valid record.
Result<Execution> DecodeExecution(uint64_t number, std::string_view value);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_CODEC_H_
