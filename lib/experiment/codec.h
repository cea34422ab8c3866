// Encoding of the `experiments` value (lib/schema/experiment.fbs) to and from
// the public Experiment.
#ifndef LABSTORE_LIB_EXPERIMENT_CODEC_H_
#define LABSTORE_LIB_EXPERIMENT_CODEC_H_

#include <string>
#include <string_view>

#include "labstore/experiment.h"

namespace labstore::internal {

struct StoredExperiment {
  Experiment experiment;
  std::string ancestor_key;
  uint64_t sequence = 0;
};

std::string EncodeExperiment(const Experiment& e, std::string_view ancestor_key, uint64_t sequence);
// Errors: Corruption naming `key` when the bytes are not a valid record.
Result<StoredExperiment> DecodeExperiment(std::string_view key, std::string_view value);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_CODEC_H_
