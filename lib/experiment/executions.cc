// Store: executions.
//
// executions key := number(8, big-endian) -> ExecutionRecord (lib/schema/execution.fbs)
// meta "execution_count" -> fixed64: the highest number given out by this part
// number := drawn like a sequence number (store/sequence.h): unique across parts
#include <sys/time.h>

#include <algorithm>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "execution_generated.h"
#include "experiment/codec.h"
#include "experiment/keys.h"
#include "experiment/lookup.h"
#include "experiment/naming.h"
#include "json/canonical.h"
#include "labstore/store.h"
#include "store/sequence.h"
#include "store/store_state.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/random.h"
#include "util/return_if_error.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements Store over internal pieces

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Minified defaults of the element fields; a field equal to its default is not stored.
constexpr std::string_view kDefaultVersion = "[]";
constexpr std::string_view kDefaultNull = "null";
constexpr std::string_view kDefaultExecutionLineageMinified = R"(["machinable.element"])";

double NowSeconds() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

namespace internal {

std::string NumberKey(uint64_t number) {
  std::string k;
  PutBigEndian64(&k, number);
  return k;
}

std::string EncodeExecution(const Execution& x) {
  flatbuffers::FlatBufferBuilder b(512);
  auto pairs = [&](const Pairs& ps) {
    std::vector<flatbuffers::Offset<fb::MemberJson>> v;
    for (const auto& [m, j] : ps) v.push_back(fb::CreateMemberJson(b, b.CreateString(m), b.CreateString(j)));
    return b.CreateVector(v);
  };
  auto resources = pairs(x.resources);
  auto env = pairs(x.env);
  std::vector<flatbuffers::Offset<flatbuffers::String>> members;
  for (const auto& m : x.members) members.push_back(b.CreateString(m));
  auto members_v = b.CreateVector(members);
  auto unless_default = [&](const std::string& text, std::string_view dflt) {
    return text == dflt ? flatbuffers::Offset<flatbuffers::String>() : b.CreateString(text);
  };
  auto version = unless_default(x.version, kDefaultVersion);
  auto config = unless_default(x.config, kDefaultNull);
  auto predicate = unless_default(x.predicate, kDefaultNull);
  auto lineage = unless_default(x.lineage, kDefaultExecutionLineageMinified);
  auto requested = unless_default(x.requested_resources, kDefaultNull);
  auto rec = fb::CreateExecutionRecord(b, x.number, b.CreateString(x.module), b.CreateString(x.nickname), x.timestamp,
                                       b.CreateString(x.host_info), members_v, resources, env, version, config,
                                       predicate, lineage, requested);
  b.Finish(rec);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Result<Execution> DecodeExecution(uint64_t number, std::string_view value) {
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  if (!fb::VerifyExecutionRecordBuffer(v)) {
    return Status::Corruption(fmt::format("execution {} is damaged", number), "not a valid ExecutionRecord");
  }
  const fb::ExecutionRecord* r = fb::GetExecutionRecord(value.data());
  auto str = [](const flatbuffers::String* s) { return s ? s->str() : std::string(); };
  auto pairs = [&](const auto* vec) {
    Pairs out;
    if (vec) for (const auto* p : *vec) out.emplace_back(str(p->member()), str(p->json()));
    return out;
  };
  Execution x;
  x.number = r->number();
  x.module = str(r->module_());
  x.nickname = str(r->nickname());
  x.timestamp = r->timestamp();
  x.host_info = str(r->host_info());
  if (r->members()) for (const auto* m : *r->members()) x.members.push_back(m->str());
  x.resources = pairs(r->resources());
  x.env = pairs(r->env());
  auto or_default = [](const flatbuffers::String* s, std::string_view dflt) {
    return s ? s->str() : std::string(dflt);
  };
  x.version = or_default(r->version(), kDefaultVersion);
  x.config = or_default(r->config(), kDefaultNull);
  x.predicate = or_default(r->predicate(), kDefaultNull);
  x.lineage = or_default(r->lineage(), kDefaultExecutionLineageMinified);
  x.requested_resources = or_default(r->requested_resources(), kDefaultNull);
  return x;
}

}  // namespace internal

Result<Execution> Store::CreateExecution(const ExecutionSpec& spec) {
  StoreState& st = *state_;
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable("store an execution"));
  if (spec.members.empty()) return Status::InvalidArgument("an execution needs at least one member experiment");
  Execution x;
  x.module = spec.module.empty() ? "machinable.execution" : spec.module;
  x.nickname = spec.nickname.empty() ? RandomNickname() : spec.nickname;
  x.timestamp = spec.timestamp.value_or(NowSeconds());
  auto host = MinifyJson(spec.host_info, JsonKind::kObject, "host_info");
  if (!host.ok()) return host.status();
  x.host_info = std::move(*host);
  struct Field {
    const std::string& text;
    JsonKind kind;
    const char* what;
    std::string* out;
  };
  for (const Field& f :
       {Field{spec.version, JsonKind::kArray, "execution version", &x.version},
        Field{spec.config, JsonKind::kAny, "execution config", &x.config},
        Field{spec.predicate, JsonKind::kAny, "execution predicate", &x.predicate},
        Field{spec.requested_resources, JsonKind::kAny, "execution resources", &x.requested_resources}}) {
    if (f.text.size() > kMaxConfigBytes) {
      return Status::InvalidArgument(fmt::format("{} of {} bytes is too large", f.what, f.text.size()),
                                     fmt::format("the limit is {} bytes", kMaxConfigBytes));
    }
    auto minified = MinifyJson(f.text, f.kind, f.what);
    if (!minified.ok()) return minified.status();
    *f.out = std::move(*minified);
  }
  auto lineage = NormalizeLineage(spec.lineage, kDefaultExecutionLineage, "execution lineage");
  if (!lineage.ok()) return lineage.status();
  x.lineage = std::move(*lineage);
  std::vector<std::string> keys;
  for (const auto& m : spec.members) {
    auto key = LookupKey(st, m);
    if (key.status().IsNotFound()) {
      return Status::InvalidArgument(fmt::format("unknown execution member \"{}\"", m),
                                     "members must be stored experiments");
    }
    if (!key.ok()) return key.status();
    if (std::find(x.members.begin(), x.members.end(), m) != x.members.end()) {
      return Status::InvalidArgument(fmt::format("execution member \"{}\" is listed twice", m));
    }
    x.members.push_back(m);
    keys.push_back(std::move(*key));
  }
  for (const auto& [m, json] : spec.resources) {
    if (std::find(x.members.begin(), x.members.end(), m) == x.members.end()) {
      return Status::InvalidArgument(fmt::format("resources given for \"{}\"", m),
                                     "it is not a member of the execution");
    }
    auto r = MinifyJson(json, JsonKind::kObject, "resources");
    if (!r.ok()) return r.status();
    x.resources.emplace_back(m, std::move(*r));
  }
  for (const auto& m : x.members) {
    bool given = std::any_of(x.resources.begin(), x.resources.end(), [&](const auto& p) { return p.first == m; });
    if (!given) x.resources.emplace_back(m, "{}");
  }
  std::lock_guard<std::mutex> guard(st.write_mu);
  std::string value;
  // The own part's count: it gives out the number written into the own part.
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfMeta), "execution_count", &value);
  if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "cannot read the execution count");
  // Drawn like sequence numbers (store/sequence.h): unique across parts, in
  // the clocks' order; a count of an older store (1, 2, ...) stays below.
  x.number = FirstDraw((s.ok() && value.size() == 8 ? GetFixed64(value) : 0) + 1, st.part);
  rocksdb::WriteBatch batch;
  batch.Put(st.handle(kCfExecutions), NumberKey(x.number), EncodeExecution(x));
  for (const auto& key : keys) batch.Put(st.handle(kCfStatus), StatusKey(key, StatusKind::kExecution, x.number), "");
  std::string count;
  PutFixed64(&count, x.number);
  batch.Put(st.handle(kCfMeta), "execution_count", count);
  s = st.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return FromRocks(s, "cannot store an execution");
  return x;
}

Result<Execution> Store::FindExecution(uint64_t number) const {
  const StoreState& st = *state_;
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::string value;
  rocksdb::Status s = GetAny(st, kCfExecutions, NumberKey(number), &value);
  if (s.IsNotFound()) return Status::NotFound(fmt::format("no execution {} in store {}", number, st.dir));
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read execution {}", number));
  return DecodeExecution(number, value);
}

Status Store::SetExecutionEnv(uint64_t number, std::string_view member, std::string_view env_json) {
  StoreState& st = *state_;
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable("store an execution's env"));
  auto env = MinifyJson(env_json, JsonKind::kObject, "env");
  if (!env.ok()) return env.status();
  std::lock_guard<std::mutex> guard(st.write_mu);
  auto x = LoadOwnExecution(st, number, "set an env of");
  if (!x.ok()) return x.status();
  if (std::find(x->members.begin(), x->members.end(), member) == x->members.end()) {
    return Status::InvalidArgument(fmt::format("\"{}\" is not a member of execution {}", member, number));
  }
  auto it = std::find_if(x->env.begin(), x->env.end(), [&](const auto& p) { return p.first == member; });
  if (it != x->env.end()) it->second = std::move(*env); else x->env.emplace_back(std::string(member), std::move(*env));
  rocksdb::Status s =
      st.db->Put(rocksdb::WriteOptions(), st.handle(kCfExecutions), NumberKey(number), EncodeExecution(*x));
  return FromRocks(s, fmt::format("cannot store execution {}", number));
}

Result<std::vector<Execution>> Store::Executions(std::string_view id) const {
  const StoreState& st = *state_;
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  std::vector<Execution> out;
  std::string prefix = StatusKey(*key, StatusKind::kExecution);
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfStatus);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto x = FindExecution(GetBigEndian64(std::string_view(it->key().data() + prefix.size(), 8)));
    if (!x.ok()) return x.status();
    out.push_back(std::move(*x));
  }
  if (!it->status().ok()) return FromRocks(it->status(), fmt::format("cannot list the executions of \"{}\"", id));
  return out;
}

}  // namespace labstore
