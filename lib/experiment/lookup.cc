#include "experiment/lookup.h"

#include <fmt/format.h>

#include "experiment/codec.h"
#include "experiment/id.h"
#include "store/union_read.h"
#include "util/hash.h"

namespace labstore::internal {

Result<std::string> LookupKey(const StoreState& st, std::string_view id) {
  auto n = DecodeId(id);
  if (!n.ok()) return n.status();
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::string key;
  rocksdb::Status s = GetAny(st, kCfIds, rocksdb::Slice(id.data(), id.size()), &key);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no experiment with id \"{}\" in store {}", id, st.dir));
  if (!s.ok()) return FromRocks(s, fmt::format("cannot look up experiment \"{}\"", id));
  return key;
}

Result<Experiment> LoadExperiment(const StoreState& st, std::string_view key) {
  std::string value;
  rocksdb::Status s = GetAny(st, kCfExperiments, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no experiment with key {}", ToHex(key)));
  if (!s.ok()) return FromRocks(s, "cannot read an experiment");
  return ExperimentFromRecord(st, key, value);
}

Result<Experiment> ExperimentFromRecord(const StoreState& st, std::string_view key, std::string_view value) {
  auto decoded = DecodeExperiment(key, value);
  if (!decoded.ok()) return decoded.status();
  Experiment e = std::move(decoded->experiment);
  if (!decoded->ancestor_key.empty()) {
    std::string parent_value;
    rocksdb::Status s = GetAny(st, kCfExperiments, decoded->ancestor_key, &parent_value);
    if (!s.ok()) return FromRocks(s, fmt::format("cannot read the ancestor of experiment \"{}\"", e.id));
    auto parent = DecodeExperiment(decoded->ancestor_key, parent_value);
    if (!parent.ok()) return parent.status();
    e.ancestor = parent->experiment.id;
    e.ancestor_timestamp = parent->experiment.timestamp;
  }
  return e;
}

Result<Execution> LoadOwnExecution(const StoreState& st, uint64_t number, std::string_view doing) {
  const std::string key = NumberKey(number);
  std::string value;
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfExecutions), key, &value);
  if (s.IsNotFound()) {
    if (const Part* part = HasViews(st) ? ViewHoldingKey(st, kCfExecutions, key) : nullptr) {
      return Status::Busy(fmt::format("cannot {} execution {}: {} of the store holds it", doing, number,
                                      PartName(part->number)),
                          "another writer process holds that part; do it from that process, or after a merge");
    }
    return Status::NotFound(fmt::format("no execution {} in store {}", number, st.dir));
  }
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read execution {}", number));
  return DecodeExecution(number, value);
}

}  // namespace labstore::internal
