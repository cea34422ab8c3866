// Experiment ids as machinable makes them: base62 ("0-9A-Za-z", most significant
// digit first) of a number in [62^5, 62^6 - 1], so always 6 characters and
// never starting with '0'.
#ifndef LABSTORE_LIB_EXPERIMENT_ID_H_
#define LABSTORE_LIB_EXPERIMENT_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

inline constexpr uint64_t kIdMin = 916132832;       // 62^5
inline constexpr uint64_t kIdMax = 56800235583;     // 62^6 - 1

std::string EncodeId(uint64_t n);
// Errors: InvalidArgument naming `id` and the rule.
Result<uint64_t> DecodeId(std::string_view id);
std::string RandomId();

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_ID_H_
