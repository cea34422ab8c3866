// Keys of the experiment column families (doc/format.md, "Experiments").
//
//   definition_hash := XXH3-128(module "\0" canonical_config) as 16 bytes, high half first
//   experiment_key  := definition_hash(16) ordinal(4, big-endian)   ordinal 0, 1, ... per definition
//   definitions     := definition_hash(16) -> count(4, big-endian)
//   ids             := id(6 ASCII) -> experiment_key
//   by_time         := timestamp(8, big-endian, sign bit flipped) sequence(8, big-endian) -> experiment_key
//   status          := experiment_key(20) kind(1) [suffix]
//     kind 's' started   suffix sequence(8 BE) -> instant
//     kind 'h' heartbeat                        -> instant
//     kind 'f' finished                         -> instant
//     kind 'o' output    suffix sequence(8 BE) -> text appended
//     kind 'd' derived   suffix sequence(8 BE) -> child experiment_key
//     kind 'x' execution suffix number(8 BE)   -> ""
//   instant := unix_micros(8, little-endian, signed) utc_offset_seconds(4, little-endian, signed)
#ifndef LABSTORE_LIB_EXPERIMENT_KEYS_H_
#define LABSTORE_LIB_EXPERIMENT_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "labstore/time.h"

namespace labstore::internal {

inline constexpr size_t kExperimentKeySize = 20;

enum class StatusKind : char {
  kStarted = 's',
  kHeartbeat = 'h',
  kFinished = 'f',
  kOutput = 'o',
  kDerived = 'd',
  kExecution = 'x',
};

std::string DefinitionHash(std::string_view module, std::string_view canonical_config);
std::string ExperimentKey(std::string_view definition_hash, uint32_t ordinal);
std::string ByTimeKey(int64_t timestamp, uint64_t sequence);
std::string StatusKey(std::string_view experiment_key, StatusKind kind);
std::string StatusKey(std::string_view experiment_key, StatusKind kind, uint64_t suffix);

std::string EncodeInstant(Timestamp t);
// False if `value` is not 12 bytes.
bool DecodeInstant(std::string_view value, Timestamp* t);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_KEYS_H_
