// Store: making, committing and finding experiments.
#include <limits.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "data/pending.h"
#include "experiment/codec.h"
#include "experiment/id.h"
#include "experiment/keys.h"
#include "experiment/lookup.h"
#include "experiment/naming.h"
#include "experiment/ordinal.h"
#include "json/canonical.h"
#include "labstore/store.h"
#include "store/sequence.h"
#include "store/store_state.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/random.h"
#include "util/return_if_error.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements Store over internal pieces

namespace {

constexpr const char* kBuiltinDefaultGroup = "%Y_%U_%a/";

struct Definition {
  std::string config;     // minified, caller's key order
  std::string hash;       // definition hash
};

Status CheckConfigSize(std::string_view config) {
  if (config.size() <= kMaxConfigBytes) return Status::OK();
  return Status::InvalidArgument(fmt::format("config of {} bytes is too large", config.size()),
                                 fmt::format("the limit is {} bytes", kMaxConfigBytes));
}

// The definition hash of (module, config); one JSON parse.
Result<std::string> HashDefinition(std::string_view module, std::string_view config) {
  LABSTORE_RETURN_IF_ERROR(ValidateModule(module));
  LABSTORE_RETURN_IF_ERROR(CheckConfigSize(config));
  auto canonical = CanonicalJson(config, "config", JsonKind::kObject);
  if (!canonical.ok()) return canonical.status();
  return DefinitionHash(module, *canonical);
}

Result<Definition> Define(std::string_view module, std::string_view config) {
  LABSTORE_RETURN_IF_ERROR(ValidateModule(module));
  LABSTORE_RETURN_IF_ERROR(CheckConfigSize(config));
  auto forms = MinifyAndCanonicalize(config, JsonKind::kObject, "config");
  if (!forms.ok()) return forms.status();
  return Definition{std::move(forms->minified), DefinitionHash(module, forms->canonical)};
}

std::string CurrentDirectory() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) return "/";
  return buf;
}

// definitions value := count(4, BE) latest_record   (latest_record as in `experiments`)
struct DefinitionEntry {
  uint32_t count = 0;
  std::string value;  // whole stored value; the latest record starts at offset 4
  std::string_view latest() const { return std::string_view(value).substr(4); }
};

// The definition as `read` finds it (the own part's for the count a commit
// gives out, the newest of every part for Get).
template <typename Read>
Result<DefinitionEntry> ReadDefinition(std::string_view hash, Read read) {
  DefinitionEntry entry;
  rocksdb::Status s = read(rocksdb::Slice(hash.data(), hash.size()), &entry.value);
  if (s.IsNotFound()) return entry;
  if (!s.ok()) return FromRocks(s, "cannot read a definition");
  if (entry.value.size() < 4) return Status::Corruption("a definition entry is damaged", ToHex(hash));
  entry.count = GetBigEndian32(entry.value);
  return entry;
}

// The own part's definition: it feeds the count (the next ordinal) that a commit
// writes into the own part.
Result<DefinitionEntry> ReadOwnDefinition(const StoreState& st, std::string_view hash) {
  return ReadDefinition(hash, [&](const rocksdb::Slice& key, std::string* value) {
    return st.db->Get(rocksdb::ReadOptions(), st.handle(kCfDefinitions), key, value);
  });
}

// True when value a of a definition holds a newer latest record than b: by the
// record's timestamp, then its sequence (doc/many-writers.md, "Reading the union").
bool NewerDefinition(std::string_view a, std::string_view b) {
  if (a.size() < 4 || b.size() < 4) return b.size() < 4 && a.size() >= 4;
  auto ra = DecodeExperiment({}, a.substr(4));
  auto rb = DecodeExperiment({}, b.substr(4));
  if (!ra.ok() || !rb.ok()) return ra.ok();
  if (ra->experiment.timestamp != rb->experiment.timestamp) return ra->experiment.timestamp > rb->experiment.timestamp;
  return ra->sequence > rb->sequence;
}

// True when `key` is in the part that a write will go to (the own one): groups
// and projects are recorded once per part.
bool HasOwnKey(const StoreState& st, Cf cf, std::string_view key) {
  std::string value;
  return st.db->Get(rocksdb::ReadOptions(), st.handle(cf), rocksdb::Slice(key.data(), key.size()), &value).ok();
}

// True when any part stores an experiment with this id.
bool IdTaken(const StoreState& st, std::string_view id) {
  std::string value;
  return GetAny(st, kCfIds, rocksdb::Slice(id.data(), id.size()), &value).ok();
}

// The key of the experiment of definition `hash` stored as `record`, in any
// part: for an id that also names another experiment. Errors: Corruption
// (none is stored), IOError.
Result<std::string> FindByRecord(const StoreState& st, std::string_view hash, std::string_view record) {
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfExperiments);
  const rocksdb::Slice prefix(hash.data(), hash.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value() == rocksdb::Slice(record.data(), record.size())) return it->key().ToString();
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the experiments of a definition");
  return Status::Corruption("the latest experiment of a definition is not stored", ToHex(hash));
}

}  // namespace

Result<Experiment> Store::Make(const ExperimentSpec& spec) const {
  auto def = Define(spec.module, spec.config);
  if (!def.ok()) return def.status();
  Experiment e;
  e.module = spec.module;
  e.config = std::move(def->config);
  e.key = std::move(def->hash);  // definition hash until committed
  auto version = MinifyJson(spec.version, JsonKind::kArray, "version");
  if (!version.ok()) return version.status();
  e.version = std::move(*version);
  if (!spec.predicate.empty()) {
    auto predicate = MinifyJson(spec.predicate, JsonKind::kAny, "predicate");
    if (!predicate.ok()) return predicate.status();
    e.predicate = std::move(*predicate);
  }
  auto uses = MinifyJson(spec.uses, JsonKind::kArray, "uses");
  if (!uses.ok()) return uses.status();
  e.uses = std::move(*uses);
  auto lineage = NormalizeLineage(spec.lineage, kDefaultLineage, "lineage");
  if (!lineage.ok()) return lineage.status();
  e.lineage = std::move(*lineage);
  if (!spec.id.empty()) {
    auto n = DecodeId(spec.id);
    if (!n.ok()) return n.status();
    e.id = spec.id;
  }
  e.seed = spec.seed.value_or(RandomSeed());
  if (e.seed < 0) {
    return Status::InvalidArgument(fmt::format("invalid seed {}", e.seed), "seeds are in [0, 2^31-1]");
  }
  e.timestamp = spec.timestamp.value_or(static_cast<int64_t>(std::time(nullptr)));
  std::string pattern = spec.group;
  if (pattern.empty()) {
    auto dflt = DefaultGroup();
    if (!dflt.ok()) return dflt.status();
    pattern = *dflt;
  }
  auto group = ResolveGroup(pattern, Now());
  if (!group.ok()) return group.status();
  e.group_pattern = std::move(group->pattern);
  e.group_path = spec.group_path.empty() ? std::move(group->path) : spec.group_path;
  LABSTORE_RETURN_IF_ERROR(ValidateName(e.group_path, "group path"));
  e.project_directory = spec.project_directory.empty() ? CurrentDirectory() : spec.project_directory;
  e.project = spec.project.empty() ? std::filesystem::path(e.project_directory).filename().string() : spec.project;
  if (e.project.empty()) e.project = "project";
  LABSTORE_RETURN_IF_ERROR(ValidateName(e.project, "project name"));
  if (!spec.ancestor.empty()) {
    auto key = LookupKey(*state_, spec.ancestor);
    if (key.status().IsNotFound()) {
      return Status::InvalidArgument(fmt::format("unknown ancestor \"{}\"", spec.ancestor),
                                     "an ancestor must be a stored experiment");
    }
    if (!key.ok()) return key.status();
    auto parent = LoadExperiment(*state_, *key);
    if (!parent.ok()) return parent.status();
    e.ancestor = parent->id;
    e.ancestor_timestamp = parent->timestamp;
  }
  return e;
}

Status Store::Commit(Experiment& e) {
  if (e.stored) return internal::WritePendingFiles(*this, e);  // left by a failed write
  StoreState& st = *state_;
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable("store an experiment"));
  if (e.key.size() != kHashSize) {
    return Status::InvalidArgument(fmt::format("experiment \"{}\" was not made by Store::Make", e.id));
  }
  std::unique_lock<std::mutex> guard(st.write_mu);
  std::string id = e.id;
  if (!id.empty()) {
    if (IdTaken(st, id)) {
      return Status::InvalidArgument(fmt::format("experiment id \"{}\" is already used in store {}", id, st.dir));
    }
  } else {
    // Random draws, as machinable; only a store near kMaxExperiments can miss
    // kIdDraws times in a row (at 99% full the chance is 4e-5).
    constexpr int kIdDraws = 1000;
    int draws = 0;
    do {
      if (++draws > kIdDraws) {
        return Status::InvalidArgument(
            fmt::format("no free experiment id in store {} after {} random draws", st.dir, kIdDraws),
            fmt::format("a store holds at most {} experiments", kMaxExperiments));
      }
      id = RandomId();
    } while (IdTaken(st, id));
  }
  std::string ancestor_key;
  if (!e.ancestor.empty()) {
    auto key = LookupKey(st, e.ancestor);
    if (!key.ok()) return key.status();
    ancestor_key = std::move(*key);
  }
  auto definition = ReadOwnDefinition(st, e.key);
  if (!definition.ok()) return definition.status();
  auto ordinal = DrawOrdinal(st, e.key, definition->count, e.module);
  if (!ordinal.ok()) return ordinal.status();
  uint32_t count = *ordinal;  // count + 1 below: the latest ordinal + 1 (experiment/ordinal.h)
  std::string key = ExperimentKey(e.key, count);
  SequenceDraw draw(st);
  uint64_t sequence = draw.Next();

  Experiment stored = e;
  stored.id = id;
  rocksdb::WriteBatch batch;
  std::string record = EncodeExperiment(stored, ancestor_key, sequence);
  batch.Put(st.handle(kCfExperiments), key, record);
  std::string latest;
  PutBigEndian32(&latest, count + 1);
  latest += record;
  batch.Put(st.handle(kCfDefinitions), e.key, latest);
  batch.Put(st.handle(kCfIds), id, key);
  batch.Put(st.handle(kCfByTime), ByTimeKey(e.timestamp, sequence), key);
  if (!HasOwnKey(st, kCfGroups, e.group_path)) batch.Put(st.handle(kCfGroups), e.group_path, e.group_pattern);
  if (!HasOwnKey(st, kCfProjects, e.project)) batch.Put(st.handle(kCfProjects), e.project, e.project_directory);
  if (!ancestor_key.empty()) {
    batch.Put(st.handle(kCfStatus), StatusKey(ancestor_key, StatusKind::kDerived, sequence), key);
  }
  draw.Stage(&batch);
  rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return FromRocks(s, fmt::format("cannot store experiment \"{}\"", id));
  draw.Commit();
  e.id = std::move(id);
  e.key = std::move(key);
  e.stored = true;
  guard.unlock();
  return internal::WritePendingFiles(*this, e);  // files saved before it was stored (data/pending.h)
}

Result<Experiment> Store::Create(const ExperimentSpec& spec) {
  auto e = Make(spec);
  if (!e.ok()) return e;
  LABSTORE_RETURN_IF_ERROR(Commit(*e));
  return e;
}

Result<Experiment> Store::Get(std::string_view module, std::string_view config) const {
  auto hash = HashDefinition(module, config);
  if (!hash.ok()) return hash.status();
  const StoreState& st = *state_;
  if (!st.db) return Status::InvalidArgument("store is closed");
  auto definition = ReadDefinition(*hash, [&](const rocksdb::Slice& key, std::string* value) {
    return GetLatest(st, kCfDefinitions, key, value, NewerDefinition);
  });
  if (!definition.ok()) return definition.status();
  if (definition->count > 0 && !HasViews(st)) {
    return ExperimentFromRecord(st, ExperimentKey(*hash, definition->count - 1), definition->latest());
  }
  if (definition->count > 0) {
    // The ordinal of a shard's experiment is not its part's count: its key is the id's.
    auto latest = DecodeExperiment(*hash, definition->latest());
    if (!latest.ok()) return latest.status();
    auto key = LookupKey(st, latest->experiment.id);
    if (!key.ok()) return key.status();
    if (!std::string_view(*key).starts_with(*hash)) {
      // Another experiment has the id (two writers drew it alike): the one
      // of this definition is found by its record among the definition's.
      key = FindByRecord(st, *hash, definition->latest());
      if (!key.ok()) return key.status();
    }
    return ExperimentFromRecord(st, *key, definition->latest());
  }
  return Make({.module = std::string(module), .config = std::string(config)});
}

Result<Experiment> Store::Find(std::string_view id) const {
  auto key = LookupKey(*state_, id);
  if (!key.ok()) return key.status();
  return LoadExperiment(*state_, *key);
}

Result<std::vector<Experiment>> Store::List(const ListOptions& options) const {
  const StoreState& st = *state_;
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::vector<Experiment> out;
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfByTime);
  std::string lower = options.since ? ByTimeKey(*options.since, 0) : std::string();
  std::string upper = options.until ? ByTimeKey(*options.until, 0) : std::string();
  if (options.newest_first) {
    if (upper.empty()) it->SeekToLast(); else it->SeekForPrev(upper);
    if (it->Valid() && !upper.empty() && it->key().compare(upper) >= 0) it->Prev();
  } else {
    if (lower.empty()) it->SeekToFirst(); else it->Seek(lower);
  }
  for (; it->Valid(); options.newest_first ? it->Prev() : it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (!lower.empty() && k < lower) break;
    if (!upper.empty() && k >= upper) break;
    auto e = LoadExperiment(st, std::string_view(it->value().data(), it->value().size()));
    if (!e.ok()) return e.status();
    if (!options.module.empty() && e->module != options.module) continue;
    if (!options.group.empty() && e->group_path != options.group) continue;
    if (!options.project.empty() && e->project != options.project) continue;
    out.push_back(std::move(*e));
    if (options.limit != 0 && out.size() >= options.limit) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot list experiments");
  return out;
}

Result<std::vector<Experiment>> Store::Derived(std::string_view id) const {
  const StoreState& st = *state_;
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  std::string prefix = StatusKey(*key, StatusKind::kDerived);
  std::vector<Experiment> out;
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfStatus);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto e = LoadExperiment(st, std::string_view(it->value().data(), it->value().size()));
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot list derived experiments");
  return out;
}

Result<std::string> Store::DefaultGroup() const {
  const StoreState& st = *state_;
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::string value;
  rocksdb::Status s = GetAny(st, kCfMeta, "default_group", &value);
  if (s.IsNotFound()) return std::string(kBuiltinDefaultGroup);
  if (!s.ok()) return FromRocks(s, "cannot read the default group");
  return value;
}

Status Store::SetDefaultGroup(std::string_view pattern) {
  StoreState& st = *state_;
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable("set the default group"));
  auto group = ResolveGroup(pattern, Now());
  if (!group.ok()) return group.status();
  rocksdb::Status s = st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), "default_group",
                                 rocksdb::Slice(pattern.data(), pattern.size()));
  return FromRocks(s, "cannot store the default group");
}

Result<std::vector<Group>> Store::Groups() const {
  auto pairs = ScanPairs(*state_, kCfGroups);
  if (!pairs.ok()) return pairs.status();
  std::vector<Group> out;
  for (auto& [k, v] : *pairs) out.push_back({std::move(k), std::move(v)});
  return out;
}

Result<std::vector<Project>> Store::Projects() const {
  auto pairs = ScanPairs(*state_, kCfProjects);
  if (!pairs.ok()) return pairs.status();
  std::vector<Project> out;
  for (auto& [k, v] : *pairs) out.push_back({std::move(k), std::move(v)});
  return out;
}

}  // namespace labstore
