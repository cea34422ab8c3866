// Building the store the corruption suite damages, and reading all of it back.
#include "corruption_util.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/write_batch.h>

#include "labstore/record_reader.h"
#include "store/store_state.h"
#include "test_util.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::corruption_test {
namespace fs = std::filesystem;

namespace {

std::string Id(Store& store, const ExperimentSpec& spec) {
  auto e = store.Create(spec);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return e->id;
}

// Rows of a few types; `flush_rows` small so that a scope has several chunks.
void LogRows(Store& store, const std::string& id, const std::string& scope, int rows, uint32_t flush_rows) {
  auto w = RecordWriter::Open(store, id, scope, {.flush_rows = flush_rows, .flush_interval_ms = 0});
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  for (int i = 0; i < rows; ++i) {
    w->Set("iteration", i);
    w->Set("loss", 1.0 / (i + 1));
    w->Set("phase", i % 3 == 0 ? "warmup" : "train");
    if (i % 7 == 0) w->Set("note", Json{R"({"k": [1, 2.5]})"});
    w->SetTimestamp({.unix_micros = 1700000000000000 + i, .utc_offset_seconds = 3600});
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
}

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 8)) & 0xff);
  return s;
}

// A file whose content is stored in chunks of 8192 bytes, written directly in
// the layout of lib/data/content_entry.h. The store itself writes chunks below
// the blobs column family's min_blob_size (4096), so this is the only way a
// RocksDB blob file comes to exist; the readers accept any chunk size.
void PlantLargeChunkFile(Store& store, const Experiment& e, const std::string& path, const std::string& bytes) {
  constexpr uint32_t kChunk = 8192;
  constexpr uint64_t kDataId = uint64_t{1} << 50;
  auto* st = internal::StateOf(store);
  std::string hash = internal::Hash128(bytes);
  rocksdb::WriteBatch batch;
  std::string header;
  internal::PutFixed64(&header, 1);
  internal::PutFixed64(&header, bytes.size());
  internal::PutFixed64(&header, kDataId);
  internal::PutFixed32(&header, kChunk);
  REQUIRE(batch.Put(st->handle(internal::kCfBlobs), "h" + hash, header).ok());
  for (uint32_t c = 0; uint64_t{c} * kChunk < bytes.size(); ++c) {
    std::string key = "d";
    internal::PutBigEndian64(&key, kDataId);
    internal::PutBigEndian32(&key, c);
    REQUIRE(batch.Put(st->handle(internal::kCfBlobs), key, bytes.substr(uint64_t{c} * kChunk, kChunk)).ok());
  }
  std::string entry = hash;
  internal::PutFixed64(&entry, bytes.size());
  REQUIRE(batch.Put(st->handle(internal::kCfFiles), e.key + path, entry).ok());
  REQUIRE(st->db->Write(rocksdb::WriteOptions(), &batch).ok());
}

// Closes the database without flushing memtables, as if the process had been
// killed: what was written since the last flush stays in the WAL only.
void Abandon(Store& store) {
  auto* st = internal::StateOf(store);
  for (auto*& h : st->cf) {
    REQUIRE(st->db->DestroyColumnFamilyHandle(h).ok());
    h = nullptr;
  }
  REQUIRE(st->db->Close().ok());
  st->db.reset();
  st->lock.Release();
}

std::vector<StoreFile> Files(Store& store) {
  std::vector<rocksdb::LiveFileMetaData> live;
  internal::StateOf(store)->db->GetLiveFilesMetaData(&live);
  std::vector<StoreFile> out;
  for (const auto& f : live) {
    out.push_back({fs::path(f.name).filename().string(), "sst", f.column_family_name, f.size});
  }
  for (const auto& entry : fs::directory_iterator(store.dir())) {
    std::string ext = entry.path().extension().string();
    if (ext == ".log" || ext == ".blob") {
      out.push_back({entry.path().filename().string(), ext == ".log" ? "wal" : "blob", "", entry.file_size()});
    }
  }
  return out;
}

template <typename T>
bool Failed(Digest& d, const std::string& what, const Result<T>& r) {
  if (r.ok()) return false;
  d[what] = std::string("<") + Status::CodeName(r.status().code()) + ">";
  return true;
}

std::string Show(const Experiment& e) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", e.id, e.module, e.config, e.version,
                     e.predicate, e.uses, e.lineage, e.seed, e.timestamp, e.group_path, e.group_pattern, e.project,
                     e.project_directory, e.ancestor, e.ancestor_timestamp, internal::ToHex(e.key));
}

std::string Show(const ExperimentStatus& s) {
  std::string out;
  for (const auto& t : s.started_at) out += fmt::format("s{},", t.unix_micros);
  if (s.heartbeat_at) out += fmt::format("h{},", s.heartbeat_at->unix_micros);
  if (s.finished_at) out += fmt::format("f{}", s.finished_at->unix_micros);
  return out;
}

std::string Show(const std::vector<Row>& rows) {
  std::string out;
  for (const Row& r : rows) {
    out += fmt::format("{}@{}/{}:", r.index, r.timestamp.unix_micros, r.timestamp.utc_offset_seconds);
    for (const auto& [name, value] : r.cells) out += name + "=" + value.ToJson() + ";";
    out += "\n";
  }
  return out;
}

std::string Show(const std::string& path, const DataValue& v) {
  switch (v.kind()) {
    case DataValue::Kind::kBytes: return "bytes " + internal::ToHex(internal::Hash128(v.bytes()));
    case DataValue::Kind::kJson: return "json " + v.json();
    case DataValue::Kind::kJsonLines: return "jsonl " + fmt::format("{}", fmt::join(v.json_lines(), "\n"));
    case DataValue::Kind::kArray: {
      auto bytes = EncodeData(path, v);
      return bytes.ok() ? "npy " + internal::ToHex(internal::Hash128(*bytes)) : "npy <unencodable>";
    }
  }
  return "?";
}

void ReadExperiment(Store& store, const std::string& id, Digest& d) {
  if (auto e = store.Find(id); !Failed(d, "find " + id, e)) d["find " + id] = Show(*e);
  if (auto s = store.GetStatus(id); !Failed(d, "status " + id, s)) d["status " + id] = Show(*s);
  if (auto o = store.ReadOutput(id); !Failed(d, "output " + id, o)) d["output " + id] = *o;
  if (auto x = store.Executions(id); !Failed(d, "executions " + id, x)) {
    std::string out;
    for (const auto& ex : *x) out += fmt::format("{} {} {};", ex.number, fmt::join(ex.members, ","), ex.host_info);
    d["executions " + id] = out;
  }
  if (auto s = ListScopes(store, id); !Failed(d, "scopes " + id, s)) {
    std::string out;
    for (const auto& sc : *s) out += fmt::format("{}:{}:{};", sc.name, sc.rows, sc.chunks);
    d["scopes " + id] = out;
  }
  if (auto f = ListFiles(store, id); !Failed(d, "files " + id, f)) {
    std::string out;
    for (const auto& fi : *f) out += fmt::format("{}:{}:{};", fi.path, fi.size, fi.content_hash);
    d["files " + id] = out;
  }
}

}  // namespace

std::pair<Plan, std::vector<StoreFile>> BuildStore(const std::string& dir) {
  Plan plan;
  auto define = [&](Store& store, const ExperimentSpec& spec) {
    plan.ids.push_back(Id(store, spec));
    plan.definitions.emplace_back(spec.module, spec.config);
    return plan.ids.back();
  };
  {
    Store store = test::OpenStore(dir);
    std::string a =
        define(store, {.module = "estimate_gravity", .config = R"({"time_dilation": 2.0})", .timestamp = 1700000000});
    std::string b = define(store, {.module = "estimate_gravity",
                                   .config = R"({"time_dilation": 3})",
                                   .timestamp = 1700000100,
                                   .group = "lab/%Y",
                                   .project = "gravity"});
    std::string c = define(
        store, {.module = "fit", .config = R"({"lr": 0.1, "layers": [8, 8]})", .timestamp = 1700000200, .ancestor = a});
    REQUIRE(store.MarkStarted(a, {.unix_micros = 1700000001000000}).ok());
    REQUIRE(store.MarkFinished(a, {.unix_micros = 1700000002000000}).ok());
    REQUIRE(store.MarkStarted(b, {.unix_micros = 1700000101000000}).ok());
    REQUIRE(store.UpdateHeartbeat(b, {.unix_micros = 1700000102000000}).ok());
    REQUIRE(store.AppendOutput(a, "step 1\nstep 2\n").ok());
    REQUIRE(
        store.CreateExecution({.members = {a, b}, .host_info = R"({"host": "lab1"})", .timestamp = 1700000300.5}).ok());
    LogRows(store, a, "default", 2000, 500);
    LogRows(store, a, "validation", 300, 100);
    LogRows(store, b, "default", 700, 256);
    auto array = NdArray::From<double>(std::vector<double>(1000, 0.5));
    REQUIRE(array.ok());
    REQUIRE(SaveData(store, a, "x.npy", DataValue::Array(*array)).ok());
    REQUIRE(SaveData(store, a, "config.json", DataValue::Json(R"({"a": [1, 2, NaN]})")).ok());
    REQUIRE(SaveData(store, b, "log.jsonl", DataValue::JsonLines({"1", R"({"b": 2})"})).ok());
    REQUIRE(SaveFile(store, b, "data/blob.bin", Pattern(20000, 1)).ok());
    REQUIRE(SaveFile(store, c, "notes.txt", "a note").ok());
    auto ce = store.Find(c);
    REQUIRE(ce.ok());
    PlantLargeChunkFile(store, *ce, "data/big.bin", Pattern(30000, 2));
    plan.scopes = {{a, "default"}, {a, "validation"}, {b, "default"}};
    plan.files = {{a, "data/x.npy"}, {a, "data/config.json"}, {b, "data/log.jsonl"}, {b, "data/blob.bin"},
                  {c, "notes.txt"}, {c, "data/big.bin"}};
    REQUIRE(store.Close().ok());
  }
  Store store = test::OpenStore(dir);
  std::string w = define(store, {.module = "after_flush", .config = R"({"n": 1})", .timestamp = 1700000400});
  REQUIRE(store.MarkStarted(w, {.unix_micros = 1700000401000000}).ok());
  REQUIRE(store.AppendOutput(w, "only in the log\n").ok());
  LogRows(store, w, "wal", 300, 100);
  REQUIRE(SaveFile(store, w, "data/w.bin", Pattern(10000, 3)).ok());
  REQUIRE(SaveData(store, w, "w.json", DataValue::Json(R"({"w": true})")).ok());
  REQUIRE(store.MarkFinished(w, {.unix_micros = 1700000402000000}).ok());
  plan.scopes.emplace_back(w, "wal");
  plan.files.emplace_back(w, "data/w.bin");
  plan.files.emplace_back(w, "data/w.json");
  std::vector<StoreFile> files = Files(store);
  Abandon(store);
  return {plan, files};
}

Digest ReadEverything(Store& store, const Plan& plan) {
  Digest d;
  if (auto all = store.List({.newest_first = false}); !Failed(d, "list", all)) {
    std::string out;
    for (const auto& e : *all) out += e.id + ",";
    d["list"] = out;
  }
  if (auto groups = store.Groups(); !Failed(d, "groups", groups)) {
    std::string out;
    for (const auto& g : *groups) out += g.path + "=" + g.pattern + ";";
    d["groups"] = out;
  }
  if (auto projects = store.Projects(); !Failed(d, "projects", projects)) {
    std::string out;
    for (const auto& p : *projects) out += p.name + "=" + p.directory + ";";
    d["projects"] = out;
  }
  if (auto group = store.DefaultGroup(); !Failed(d, "default group", group)) d["default group"] = *group;
  for (const auto& [module, config] : plan.definitions) {
    std::string what = "get " + module + " " + config;
    if (auto e = store.Get(module, config); !Failed(d, what, e)) d[what] = e->stored ? e->id : "<new>";
  }
  for (const auto& id : plan.ids) ReadExperiment(store, id, d);
  for (const auto& [id, scope] : plan.scopes) {
    std::string what = "rows " + id + " " + scope;
    if (auto rows = ReadRows(store, id, scope); !Failed(d, what, rows)) d[what] = Show(*rows);
  }
  for (const auto& [id, path] : plan.files) {
    std::string what = "file " + id + " " + path;
    if (path.starts_with("data/")) {
      if (auto v = LoadData(store, id, path.substr(5)); !Failed(d, what, v)) d[what] = Show(path, *v);
    } else if (auto bytes = LoadFile(store, id, path); !Failed(d, what, bytes)) {
      d[what] = "bytes " + internal::ToHex(internal::Hash128(*bytes));
    }
  }
  return d;
}

void CopyStore(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

void FlipByte(const std::string& path, uint64_t offset, uint8_t mask) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE_MESSAGE(f.good(), path);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  REQUIRE(f.get(c));
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ static_cast<char>(mask)));
  REQUIRE(f.flush());
}

int Trials(int normal, int long_run) {
  const char* env = std::getenv("LABSTORE_LONG");
  return env != nullptr && std::string(env) == "1" ? long_run : normal;
}

}  // namespace labstore::corruption_test
