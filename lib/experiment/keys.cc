#include "experiment/keys.h"

#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {

std::string DefinitionHash(std::string_view module, std::string_view canonical_config) {
  std::string input;
  input.reserve(module.size() + 1 + canonical_config.size());
  input.append(module);
  input.push_back('\0');
  input.append(canonical_config);
  return Hash128(input);
}

std::string ExperimentKey(std::string_view definition_hash, uint32_t ordinal) {
  std::string key(definition_hash);
  PutBigEndian32(&key, ordinal);
  return key;
}

std::string ByTimeKey(int64_t timestamp, uint64_t sequence) {
  std::string key;
  PutOrderedInt64(&key, timestamp);
  PutBigEndian64(&key, sequence);
  return key;
}

std::string StatusKey(std::string_view experiment_key, StatusKind kind) {
  std::string key(experiment_key);
  key.push_back(static_cast<char>(kind));
  return key;
}

std::string StatusKey(std::string_view experiment_key, StatusKind kind, uint64_t suffix) {
  std::string key = StatusKey(experiment_key, kind);
  PutBigEndian64(&key, suffix);
  return key;
}

std::string EncodeInstant(Timestamp t) {
  std::string v;
  PutFixed64(&v, static_cast<uint64_t>(t.unix_micros));
  PutFixed32(&v, static_cast<uint32_t>(t.utc_offset_seconds));
  return v;
}

bool DecodeInstant(std::string_view value, Timestamp* t) {
  if (value.size() != 12) return false;
  t->unix_micros = static_cast<int64_t>(GetFixed64(value));
  t->utc_offset_seconds = static_cast<int32_t>(GetFixed32(value.substr(8)));
  return true;
}

}  // namespace labstore::internal
