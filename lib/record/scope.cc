// Record keys and scope metadata (grammar at the top of scope.h): encoding,
// loading (LoadScope, ListScopes, GetScope, CountRows) and ClearRecords, which
// removes a scope's keys and metadata.
//
// Many writers (doc/many-writers.md): a scope may have chunks in several parts
// (a writer continues a scope from the union's row count). Its metadata is
// the union of the parts' (MergeScopeParts): rows the highest, chunks and
// bytes summed, columns in order of first appearance with their types merged.
#include "record/scope.h"

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "experiment/lookup.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "store/store_state.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

// The name as it may be shown in a message: NUL as \0.
std::string Printable(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 200)) {
    if (c == '\0') out += "\\0";
    else out.push_back(c);
  }
  if (name.size() > 200) out += "...";
  return out;
}

}  // namespace

Status ValidateRecordName(std::string_view what, std::string_view name) {
  auto bad = [&](std::string_view rule) {
    return Status::InvalidArgument(fmt::format("invalid {} name \"{}\"", what, Printable(name)),
                                   fmt::format("{} names {}", what, rule));
  };
  if (name.empty()) return bad("may not be empty");
  if (name.size() > kMaxRecordNameLength) {
    return bad(fmt::format("may be at most {} bytes long (this one has {})", kMaxRecordNameLength, name.size()));
  }
  if (name.find('/') != std::string_view::npos) return bad("may not contain '/'");
  if (name.find('\0') != std::string_view::npos) return bad("may not contain NUL");
  return Status::OK();
}

std::string RecordPrefix(std::string_view experiment_key, std::string_view scope) {
  std::string key(experiment_key);
  PutBigEndian64(&key, Hash64(scope));
  return key;
}

std::string RecordKey(std::string_view experiment_key, std::string_view scope, uint64_t chunk_start) {
  std::string key = RecordPrefix(experiment_key, scope);
  PutBigEndian64(&key, chunk_start);
  return key;
}

std::string ScopeKey(std::string_view experiment_key, std::string_view scope) {
  std::string key(experiment_key);
  key += scope;
  return key;
}

std::string EncodeScopeMeta(const ScopeInfo& info) {
  std::string out;
  out.push_back(static_cast<char>(kScopeMetaVersion));
  PutFixed64(&out, info.rows);
  PutFixed64(&out, info.chunks);
  PutFixed64(&out, info.bytes);
  PutVarint(&out, info.columns.size());
  for (const auto& [name, type] : info.columns) {
    PutVarint(&out, name.size());
    out += name;
    out.push_back(static_cast<char>(type));
  }
  return out;
}

Result<ScopeInfo> DecodeScopeMeta(std::string_view scope, std::string_view value) {
  auto bad = [](std::string_view why) { return Status::Corruption("damaged scope metadata", why); };
  if (value.size() < 25) return bad("too short");
  if (static_cast<uint8_t>(value[0]) != kScopeMetaVersion) {
    return Status::NotSupported(fmt::format("scope metadata version {}", int(uint8_t(value[0]))),
                                "written by a newer labstore");
  }
  ScopeInfo info;
  info.name = std::string(scope);
  info.rows = GetFixed64(value.substr(1));
  info.chunks = GetFixed64(value.substr(9));
  info.bytes = GetFixed64(value.substr(17));
  const char* p = value.data() + 25;
  const char* end = value.data() + value.size();
  uint64_t n;
  if (!GetVarint(&p, end, &n) || n > kMaxRecordColumns) return bad("bad column count");
  info.columns.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len;
    if (!GetVarint(&p, end, &len) || len == 0 || len > kMaxRecordNameLength ||
        static_cast<uint64_t>(end - p) < len + 1) {
      return bad("bad column entry");
    }
    std::string name(p, len);
    p += len;
    uint8_t type = static_cast<uint8_t>(*p++);
    if (type > static_cast<uint8_t>(ValueType::kJson)) return bad("bad column type");
    info.columns.emplace_back(std::move(name), static_cast<ValueType>(type));
  }
  if (p != end) return bad("trailing bytes");
  return info;
}

void MergeScopeParts(ScopeInfo* into, const ScopeInfo& part) {
  into->rows = std::max(into->rows, part.rows);
  into->chunks += part.chunks;
  into->bytes += part.bytes;
  for (const auto& column : part.columns) {
    auto same = [&](const auto& c) { return c.first == column.first; };
    auto it = std::find_if(into->columns.begin(), into->columns.end(), same);
    if (it == into->columns.end()) into->columns.emplace_back(column);
    else it->second = MergeTypes(it->second, column.second);
  }
}

namespace {

// One part's metadata value decoded, with the error naming the scope.
Result<ScopeInfo> DecodeNamed(std::string_view id, std::string_view scope, std::string_view value) {
  auto info = DecodeScopeMeta(scope, value);
  if (!info.ok()) {
    return Status(info.status().IsNotSupported()
                      ? Status::NotSupported(fmt::format("scope \"{}\" of experiment {}", scope, id),
                                             info.status().message())
                      : Status::Corruption(fmt::format("damaged metadata of scope \"{}\" of experiment {}", scope, id),
                                           info.status().message()));
  }
  return info;
}

}  // namespace

Result<ScopeInfo> LoadScope(const StoreState& st, std::string_view id, std::string_view exp_key,
                            std::string_view scope) {
  if (!st.db) return Status::InvalidArgument("store is closed");
  ScopeInfo merged;  // no rows when no part has the scope
  merged.name = std::string(scope);
  const std::string key = ScopeKey(exp_key, scope);
  std::string value;
  std::vector<std::string> values;
  rocksdb::Status s = HasViews(st) ? GetEvery(st, kCfScopes, key, &values)
                                   : st.db->Get(rocksdb::ReadOptions(), st.handle(kCfScopes), key, &value);
  if (s.IsNotFound()) return merged;
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read scope \"{}\" of experiment {}", scope, id));
  if (!HasViews(st)) return DecodeNamed(id, scope, value);
  if (values.size() == 1) return DecodeNamed(id, scope, values[0]);
  for (const std::string& part_value : values) {
    auto info = DecodeNamed(id, scope, part_value);
    if (!info.ok()) return info.status();
    MergeScopeParts(&merged, *info);
  }
  return merged;
}

Result<ScopeInfo> LoadScopeChecked(const StoreState& st, std::string_view id, std::string_view exp_key,
                                   std::string_view scope) {
  auto info = LoadScope(st, id, exp_key, scope);
  if (info.ok() && HasViews(st)) {
    // The writer continues from the union's rows and columns, but counts the
    // chunks and bytes of the own part, whose metadata it rewrites.
    info->chunks = info->bytes = 0;
    std::string value;
    rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfScopes), ScopeKey(exp_key, scope), &value);
    if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, fmt::format("cannot read scope \"{}\" of experiment {}", scope, id));
    }
    if (s.ok()) {
      auto own = DecodeNamed(id, scope, value);
      if (!own.ok()) return own.status();
      info->chunks = own->chunks;
      info->bytes = own->bytes;
    }
    // The first chunk this writer would store must be no other part's: one is
    // when rows were added there that the scope metadata read does not show.
    if (const Part* part = ViewHoldingKey(st, kCfRecords, RecordKey(exp_key, scope, info->rows))) {
      return Status::Busy(fmt::format("cannot write scope \"{}\" of experiment {}: {} of the store holds rows from "
                                      "row {} on, which this handle does not see yet",
                                      scope, id, PartName(part->number), info->rows),
                          "another writer process is writing that scope; write from it, or Refresh after it closed");
    }
  }
  if (!info.ok() || info->rows > 0) return info;
  // A new scope: its records keys must not collide with another scope's.
  uint64_t hash = Hash64(scope);
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfScopes);
  const rocksdb::Slice prefix(exp_key.data(), exp_key.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view other(it->key().data() + exp_key.size(), it->key().size() - exp_key.size());
    if (other != scope && Hash64(other) == hash) {
      return Status::InvalidArgument(
          fmt::format("scope name \"{}\" collides with scope \"{}\" of experiment {}", scope, other, id),
          "their 64-bit hashes are equal; choose another name");
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot list scopes");
  return info;
}

}  // namespace labstore::internal

namespace labstore {

Result<std::vector<ScopeInfo>> ListScopes(const Store& store, std::string_view experiment_id) {
  const internal::StoreState& st = *internal::StateOf(store);
  auto key = internal::LookupKey(st, experiment_id);
  if (!key.ok()) return key.status();
  std::vector<ScopeInfo> out;
  std::unique_ptr<rocksdb::Iterator> it = internal::NewUnionIterator(st, internal::kCfScopes);
  for (it->Seek(*key); it->Valid() && it->key().starts_with(*key); it->Next()) {
    std::string_view name(it->key().data() + key->size(), it->key().size() - key->size());
    if (internal::HasViews(st)) {
      auto info = internal::LoadScope(st, experiment_id, *key, name);  // the parts' metadata combined
      if (!info.ok()) return info.status();
      out.push_back(std::move(*info));
      continue;
    }
    auto info = internal::DecodeScopeMeta(name, std::string_view(it->value().data(), it->value().size()));
    if (!info.ok()) {
      return Status::Corruption(fmt::format("damaged metadata of scope \"{}\" of experiment {}", name, experiment_id),
                                info.status().message());
    }
    out.push_back(std::move(*info));
  }
  if (!it->status().ok()) {
    return internal::FromRocks(it->status(), fmt::format("cannot list scopes of experiment {}", experiment_id));
  }
  return out;  // keys sort by scope name bytes
}

Result<ScopeInfo> GetScope(const Store& store, std::string_view experiment_id, std::string_view scope) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*internal::StateOf(store), experiment_id);
  if (!key.ok()) return key.status();
  return internal::LoadScope(*internal::StateOf(store), experiment_id, *key, scope);
}

Result<uint64_t> CountRows(const Store& store, std::string_view experiment_id, std::string_view scope) {
  auto info = GetScope(store, experiment_id, scope);
  if (!info.ok()) return info.status();
  return info->rows;
}


Status ClearRecords(Store& store, std::string_view experiment_id, std::string_view scope) {
  internal::StoreState* st = internal::StateOf(store);
  LABSTORE_RETURN_IF_ERROR(st->CheckWritable("clear records"));
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*st, experiment_id);
  if (!key.ok()) return key.status();

  // Records, and the scope's metadata, in another part are its writer's
  // business (doc/many-writers.md).
  const internal::Part* part = internal::ViewHolding(*st, internal::kCfRecords, internal::RecordPrefix(*key, scope));
  const char* what = "records";
  if (!part && internal::HasViews(*st)) {
    part = internal::ViewHoldingKey(*st, internal::kCfScopes, internal::ScopeKey(*key, scope));
    what = "metadata";
  }
  if (part) {
    return Status::Busy(fmt::format("cannot clear scope \"{}\" of experiment {}: {} of the store holds its {}", scope,
                                    experiment_id, internal::PartName(part->number), what),
                        "another writer process holds that part; clear from that process, or after a merge");
  }
  // Holding the claim keeps a writer of this scope from opening meanwhile.
  std::string claim = internal::ScopeClaimKey(st, *key, scope);
  if (!internal::ClaimScope(claim)) {
    return Status::Busy(
        fmt::format("cannot clear scope \"{}\" of experiment {}: it has an open writer", scope, experiment_id),
        "close the RecordWriter first");
  }
  // Record keys are prefix(28) chunk_start(8): prefix + nine 0xff bytes is
  // past every chunk of the scope and before the next scope hash. A scope
  // hash is never shared by two scopes of one experiment (the writer refuses).
  std::string begin = internal::RecordPrefix(*key, scope);
  std::string end = begin + std::string(9, '\xff');
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(st->handle(internal::kCfRecords), begin, end);
  if (s.ok()) s = batch.Delete(st->handle(internal::kCfScopes), internal::ScopeKey(*key, scope));
  if (s.ok()) s = st->db->Write(rocksdb::WriteOptions(), &batch);
  internal::ReleaseScope(claim);
  return internal::FromRocks(s, fmt::format("cannot clear scope \"{}\" of experiment {}", scope, experiment_id));
}

}  // namespace labstore
