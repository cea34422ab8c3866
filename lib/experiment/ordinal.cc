// Experiment ordinals per part (ordinal.h).
#include "experiment/ordinal.h"

#include <memory>

#include <fmt/format.h>

#include "experiment/keys.h"
#include "labstore/experiment.h"
#include "util/coding.h"

namespace labstore::internal {

namespace {

// One more than the highest ordinal in [base, base + kMaxShardLocal) of
// `hash` in `db`; 0 when there is none.
Result<uint32_t> NextLocalIn(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string_view hash,
                             uint32_t base) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::string top = ExperimentKey(hash, base + kMaxShardLocal);
  it->SeekForPrev(top);
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the experiments of a definition");
  rocksdb::Slice prefix(hash.data(), hash.size());
  if (!it->Valid() || it->key().size() != kExperimentKeySize || !it->key().starts_with(prefix)) return 0u;
  uint32_t ordinal = GetBigEndian32(std::string_view(it->key().data() + hash.size(), 4));
  return ordinal >= base ? ordinal - base + 1 : 0u;
}

}  // namespace

Result<uint32_t> DrawOrdinal(const StoreState& st, std::string_view hash, uint32_t count, std::string_view module) {
  if (st.part == 0) {
    if (count >= kMaxExperimentsPerDefinition) {
      return Status::InvalidArgument(
          fmt::format("cannot store another experiment of module \"{}\" with this config", module),
          fmt::format("a definition (module and config) holds at most {} experiments", kMaxExperimentsPerDefinition));
    }
    return count;
  }
  uint32_t base = ShardOrdinalBase(st.part);
  auto local = NextLocalIn(st.db.get(), st.handle(kCfExperiments), hash, base);
  if (!local.ok()) return local.status();
  for (const auto& view : st.views) {
    if (view->number != 0 || !view->db) continue;
    auto in_main = NextLocalIn(view->db.get(), view->handle(kCfExperiments), hash, base);
    if (!in_main.ok()) return in_main.status();
    if (*in_main > *local) local = *in_main;
  }
  if (*local >= kMaxShardLocal) {
    return Status::InvalidArgument(
        fmt::format("cannot store another experiment of module \"{}\" with this config in shard {} of store {}",
                    module, st.part, st.dir),
        fmt::format("a shard holds at most {} experiments of one definition; merge the shards or write from the "
                    "main writer",
                    kMaxShardLocal));
  }
  return base + *local;
}

}  // namespace labstore::internal
