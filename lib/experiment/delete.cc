// Store::Delete: removing experiments with everything keyed by them.
//
// What one experiment (key K, id I, timestamp T, creation sequence S,
// ancestor key A) owns, and how it goes — all in one WriteBatch:
//   experiments K, ids I, by_time ByTimeKey(T, S)      point deletes
//   status [K, K+1)    markers, output, 'd' links to its children, 'x' memberships
//   records [K, K+1), scopes [K, K+1)                  DeleteRange
//   files K‖path                                       point deletes; contents released
//                                                      (data/content_store.h)
//   status A‖'d'‖S                                     the ancestor's link to it
//   definitions hash(K)   rewritten to the latest remaining experiment of the
//                         definition: count := its ordinal + 1 (so ordinals above
//                         it are given out again), or deleted when none remains
//   executions N          for every 'x' membership: the member (and its
//                         resources and env) removed; deleted without members
//   meta "import_pending/" I deleted; meta "deleted/" I put (experiment/delete.h)
// K+1 is the successor of the 20-byte key. Groups and projects stay.
//
// Many writers (doc/many-writers.md): the experiments to delete are found in
// the union of the parts, but their data must all be in the handle's own part
// (CheckOwnData: Busy naming the other part otherwise), so that every later
// read here, which feeds this batch, reads the own part alone.
#include "experiment/delete.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "data/content_store.h"
#include "experiment/codec.h"
#include "experiment/keys.h"
#include "experiment/lookup.h"
#include "import/pending.h"
#include "labstore/store.h"
#include "record/open_writers.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/return_if_error.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements Store over internal pieces

namespace {

constexpr const char* kDeletedPrefix = "deleted/";

struct Doomed {
  std::string id;
  std::string key;
  StoredExperiment rec;
  int depth = 0;  // ancestors that are deleted too
};

// The smallest key above every key that starts with `prefix`; empty when
// there is none (all bytes 0xff).
std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Deletes every key of `cf` that starts with `prefix`.
Status DeletePrefix(const StoreState& st, Cf cf, std::string_view prefix, rocksdb::WriteBatch* batch) {
  std::string end = PrefixEnd(prefix);
  if (!end.empty()) return FromRocks(batch->DeleteRange(st.handle(cf), ToSlice(prefix), end), "cannot delete a range");
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(cf)));
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    batch->Delete(st.handle(cf), it->key());
  }
  return FromRocks(it->status(), fmt::format("cannot read {}", kCfNames[cf]));
}

Result<Doomed> Load(const StoreState& st, std::string_view key) {
  std::string value;
  rocksdb::Status s = GetAny(st, kCfExperiments, ToSlice(key), &value);
  if (!s.ok()) return FromRocks(s, "cannot read an experiment to delete");
  auto rec = DecodeExperiment(key, value);
  if (!rec.ok()) return rec.status();
  Doomed d;
  d.id = rec->experiment.id;
  d.key = std::string(key);
  d.rec = std::move(*rec);
  return d;
}

// The keys of the experiments derived directly from `key`.
Result<std::vector<std::string>> ChildKeys(const StoreState& st, std::string_view key) {
  std::vector<std::string> out;
  std::string prefix = StatusKey(key, StatusKind::kDerived);
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfStatus);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    out.push_back(it->value().ToString());
  LABSTORE_RETURN_IF_ERROR(FromRocks(it->status(), "cannot read derived experiments"));
  return out;
}

// The named experiments and (with options.derived) everything derived from
// them, derived ones first. InvalidArgument when a derived experiment would
// be left without its ancestor.
Result<std::vector<Doomed>> Collect(const StoreState& st, const std::vector<std::string>& ids,
                                    const DeleteOptions& options) {
  std::map<std::string, Doomed> by_key;
  std::vector<std::string> work;
  for (const std::string& id : ids) {
    auto key = LookupKey(st, id);
    if (!key.ok()) return key.status();
    if (by_key.count(*key)) continue;
    auto d = Load(st, *key);
    if (!d.ok()) return d.status();
    by_key.emplace(*key, std::move(*d));
    work.push_back(std::move(*key));
  }
  std::vector<std::pair<std::string, std::string>> kept;  // (derived id, its ancestor's id)
  for (size_t i = 0; i < work.size(); ++i) {
    auto children = ChildKeys(st, work[i]);
    if (!children.ok()) return children.status();
    for (const std::string& child : *children) {
      if (by_key.count(child)) continue;
      auto d = Load(st, child);
      if (!d.ok()) return d.status();
      if (!options.derived) {
        kept.emplace_back(d->id, by_key.at(work[i]).id);
        continue;
      }
      by_key.emplace(child, std::move(*d));
      work.push_back(child);
    }
  }
  if (!kept.empty()) {
    std::string list;
    for (const auto& [child, parent] : kept)
      list += fmt::format("{}{} (from {})", list.empty() ? "" : ", ", child, parent);
    return Status::InvalidArgument(
        fmt::format("cannot delete experiment \"{}\": derived experiments would be left without their ancestor: {}",
                    kept.front().second, list),
        "delete them too with DeleteOptions::derived (labstore rm --derived), or name them as well");
  }
  std::vector<Doomed> out;
  for (auto& [key, d] : by_key) {
    for (std::string a = d.rec.ancestor_key; by_key.count(a); a = by_key.at(a).rec.ancestor_key) ++d.depth;
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const Doomed& a, const Doomed& b) {
    return a.depth != b.depth ? a.depth > b.depth : a.rec.sequence > b.rec.sequence;
  });
  return out;
}

// Busy when another part holds data of `d`: deleting there is its writer's
// business (doc/many-writers.md, "Writes that touch another part's data").
Status CheckOwnData(const StoreState& st, const Doomed& d) {
  for (Cf cf : {kCfExperiments, kCfStatus, kCfRecords, kCfScopes, kCfFiles}) {
    if (const Part* part = ViewHolding(st, cf, d.key)) {
      return Status::Busy(
          fmt::format("cannot delete experiment \"{}\": {} of the store holds its {}", d.id, PartName(part->number),
                      kCfNames[cf]),
          "another writer process holds that part; delete from that process, or after a merge");
    }
  }
  return Status::OK();
}

// Points each touched definition at its latest remaining experiment.
Status StageDefinitions(const StoreState& st, const std::set<std::string>& doomed, rocksdb::WriteBatch* batch) {
  std::set<std::string> hashes;
  for (const std::string& key : doomed) hashes.insert(key.substr(0, key.size() - 4));
  for (const std::string& hash : hashes) {
    std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfExperiments)));
    std::string latest;
    for (it->SeekForPrev(ExperimentKey(hash, UINT32_MAX)); it->Valid() && it->key().starts_with(hash); it->Prev()) {
      if (doomed.count(it->key().ToString()) == 0) {
        latest = it->key().ToString();
        break;
      }
    }
    LABSTORE_RETURN_IF_ERROR(FromRocks(it->status(), "cannot read the experiments of a definition"));
    if (latest.empty()) {
      batch->Delete(st.handle(kCfDefinitions), hash);
      continue;
    }
    std::string value;
    PutBigEndian32(&value, GetBigEndian32(std::string_view(latest).substr(hash.size())) + 1);
    value.append(it->value().data(), it->value().size());
    batch->Put(st.handle(kCfDefinitions), hash, value);
  }
  return Status::OK();
}

// Removes the deleted members from their executions.
Status StageExecutions(const StoreState& st, const std::vector<Doomed>& doomed, rocksdb::WriteBatch* batch,
                       DeleteStats* stats) {
  std::set<std::string> ids;
  std::set<uint64_t> numbers;
  for (const Doomed& d : doomed) {
    ids.insert(d.id);
    std::string prefix = StatusKey(d.key, StatusKind::kExecution);
    std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfStatus)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() == prefix.size() + 8)
        numbers.insert(GetBigEndian64(it->key().ToStringView().substr(prefix.size())));
    }
    LABSTORE_RETURN_IF_ERROR(FromRocks(it->status(), "cannot read executions"));
  }
  for (uint64_t number : numbers) {
    // Busy for an execution another part stores: a copy rewritten here would
    // diverge from it (doc/many-writers.md, "As built").
    auto x = LoadOwnExecution(st, number, "remove deleted members from");
    if (x.status().IsNotFound()) continue;
    if (!x.ok()) return x.status();
    auto gone = [&](const std::string& id) { return ids.count(id) > 0; };
    auto gone_pair = [&](const auto& p) { return ids.count(p.first) > 0; };
    size_t members = x->members.size();
    x->members.erase(std::remove_if(x->members.begin(), x->members.end(), gone), x->members.end());
    if (x->members.size() == members) continue;  // none of them was a member: nothing to change
    x->resources.erase(std::remove_if(x->resources.begin(), x->resources.end(), gone_pair), x->resources.end());
    x->env.erase(std::remove_if(x->env.begin(), x->env.end(), gone_pair), x->env.end());
    if (x->members.empty()) {
      batch->Delete(st.handle(kCfExecutions), NumberKey(number));
      ++stats->executions_removed;
    } else {
      batch->Put(st.handle(kCfExecutions), NumberKey(number), EncodeExecution(*x));
      ++stats->executions_changed;
    }
  }
  return Status::OK();
}

// Counts the scopes of `key` (scope_meta := version(1) rows(8) chunks(8) bytes(8) ..., LE).
Status CountScopes(const StoreState& st, std::string_view key, DeleteStats* stats) {
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(kCfScopes)));
  for (it->Seek(ToSlice(key)); it->Valid() && it->key().starts_with(ToSlice(key)); it->Next()) {
    ++stats->scopes;
    std::string_view v = it->value().ToStringView();
    if (v.size() < 25) continue;  // damaged: it goes all the same
    stats->record_rows += GetFixed64(v.substr(1));
    stats->record_chunks += GetFixed64(v.substr(9));
    stats->record_bytes += GetFixed64(v.substr(17));
  }
  return FromRocks(it->status(), "cannot read the scopes of an experiment");
}

}  // namespace

namespace internal {

std::string DeletedKey(std::string_view id) { return kDeletedPrefix + std::string(id); }

Result<std::vector<std::string>> DeletedIds(const StoreState& st) {
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfMeta);
  for (it->Seek(kDeletedPrefix); it->Valid() && it->key().starts_with(kDeletedPrefix); it->Next()) {
    out.push_back(it->key().ToString().substr(std::string_view(kDeletedPrefix).size()));
  }
  LABSTORE_RETURN_IF_ERROR(FromRocks(it->status(), "cannot read the deleted experiments"));
  return out;
}

}  // namespace internal

Result<DeleteStats> Store::Delete(std::string_view id, const DeleteOptions& options) {
  return DeleteMany({std::string(id)}, options);
}

Result<DeleteStats> Store::DeleteMany(const std::vector<std::string>& ids, const DeleteOptions& options) {
  StoreState& st = *state_;
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable("delete experiments"));
  if (ids.empty()) return Status::InvalidArgument("no experiment to delete", "name at least one id");
  DeleteStats stats;
  ReleasedFiles released;
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> guard(st.write_mu);
    auto doomed = Collect(st, ids, options);
    if (!doomed.ok()) return doomed.status();
    for (const Doomed& d : *doomed) {
      LABSTORE_RETURN_IF_ERROR(CheckOwnData(st, d));
      if (auto scope = OpenRecordScope(&st, d.key)) {
        return Status::InvalidArgument(
            fmt::format("cannot delete experiment \"{}\": a RecordWriter of its scope \"{}\" is open", d.id, *scope),
            "close the writer first");
      }
    }
    std::set<std::string> doomed_keys;
    for (const Doomed& d : *doomed) doomed_keys.insert(d.key);
    rocksdb::WriteBatch batch;
    for (const Doomed& d : *doomed) {
      batch.Delete(st.handle(kCfExperiments), d.key);
      batch.Delete(st.handle(kCfIds), d.id);
      batch.Delete(st.handle(kCfByTime), ByTimeKey(d.rec.experiment.timestamp, d.rec.sequence));
      if (!d.rec.ancestor_key.empty() && doomed_keys.count(d.rec.ancestor_key) == 0) {
        batch.Delete(st.handle(kCfStatus), StatusKey(d.rec.ancestor_key, StatusKind::kDerived, d.rec.sequence));
      }
      LABSTORE_RETURN_IF_ERROR(CountScopes(st, d.key, &stats));
      for (Cf cf : {kCfStatus, kCfRecords, kCfScopes}) LABSTORE_RETURN_IF_ERROR(DeletePrefix(st, cf, d.key, &batch));
      batch.Delete(st.handle(kCfMeta), ImportPendingKey(d.id));
      batch.Put(st.handle(kCfMeta), DeletedKey(d.id), "");
      keys.push_back(d.key);
      stats.experiments.push_back(d.id);
    }
    LABSTORE_RETURN_IF_ERROR(StageDefinitions(st, doomed_keys, &batch));
    LABSTORE_RETURN_IF_ERROR(StageExecutions(st, *doomed, &batch, &stats));
    LABSTORE_RETURN_IF_ERROR(ReleaseFilesOf(st, keys, &batch, &released));
    rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return FromRocks(s, fmt::format("cannot delete experiment \"{}\"", stats.experiments.back()));
  }
  stats.files = released.files;
  stats.file_bytes = released.file_bytes;
  stats.contents_removed = released.contents_removed;
  stats.content_bytes_removed = released.content_bytes_removed;
  if (options.reclaim_space) {
    // The deletion stands whatever happens here; RocksDB's own compactions
    // reach the ranges later (GarbageCollect compacts the contents).
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    for (const std::string& key : keys) {
      std::string end = PrefixEnd(key);
      rocksdb::Slice begin_slice(key), end_slice(end);
      for (Cf cf : {kCfRecords, kCfScopes}) {
        (void)st.db->CompactRange(co, st.handle(cf), &begin_slice, end.empty() ? nullptr : &end_slice);
      }
    }
    for (uint64_t data_id : released.data_ids) {
      std::string begin(1, 'd'), end(1, 'd');
      PutBigEndian64(&begin, data_id);
      PutBigEndian64(&end, data_id + 1);
      rocksdb::Slice begin_slice(begin), end_slice(end);
      (void)st.db->CompactRange(co, st.handle(kCfBlobs), &begin_slice, &end_slice);
    }
  }
  return stats;
}

}  // namespace labstore
