// Store::Delete: everything an experiment owns goes, in one batch; shared
// contents, other experiments and the definition index stay right.
#include <doctest/doctest.h>

#include <random>

#include "experiment/delete.h"
#include "labstore/labstore.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

bool Has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// The experiment key of `id` (ids column family).
std::string KeyOf(Store& store, const std::string& id) {
  auto pairs = internal::ScanPairs(*internal::StateOf(store), internal::kCfIds);
  REQUIRE(pairs.ok());
  for (const auto& [k, v] : *pairs) {
    if (k == id) return v;
  }
  return "";
}

// Keys of every column family that start with `prefix` or whose value is
// `prefix` (by_time, ids, 'd' links): what would be left of an experiment.
std::vector<std::string> Traces(Store& store, const std::string& key) {
  std::vector<std::string> out;
  for (int cf = 1; cf < internal::kCfCount; ++cf) {
    auto pairs = internal::ScanPairs(*internal::StateOf(store), static_cast<internal::Cf>(cf));
    REQUIRE(pairs.ok());
    for (const auto& [k, v] : *pairs) {
      if (k.starts_with(key) || v == key) out.push_back(std::string(internal::kCfNames[cf]) + ":" + k);
    }
  }
  return out;
}

// Writes `rows` rows of one double column into `scope`.
void Log(Store& store, const std::string& id, const std::string& scope, int rows, bool random = false) {
  auto w = RecordWriter::Open(store, id, scope);
  REQUIRE(w.ok());
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> dist;
  for (int i = 0; i < rows; ++i) {
    w->Set("loss", random ? dist(rng) : 1.0 / (i + 1));
    w->Set("step", int64_t{i});
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
}

uint64_t RefsFixed(Store& store) {
  auto gc = GarbageCollect(store);
  REQUIRE(gc.ok());
  return gc->references_fixed;
}

TEST_SUITE("experiment") {

TEST_CASE("Delete removes an experiment with its records, files, markers, output, executions and index entries") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  auto b = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::string key = KeyOf(store, a->id);
  REQUIRE(store.MarkStarted(a->id).ok());
  REQUIRE(store.MarkFinished(a->id).ok());
  REQUIRE(store.AppendOutput(a->id, "hello\n").ok());
  Log(store, a->id, "default", 1000);
  Log(store, a->id, "validation", 10);
  REQUIRE(SaveFile(store, a->id, "notes.txt", "only a's").ok());
  REQUIRE(SaveData(store, a->id, "result.json", DataValue::Json(R"({"g": 9.81})")).ok());
  REQUIRE(store.CreateExecution({.members = {a->id}}).ok());
  REQUIRE_FALSE(Traces(store, key).empty());

  auto gone = store.Delete(a->id);
  REQUIRE(gone.ok());
  CHECK(gone->experiments == std::vector<std::string>{a->id});
  CHECK(gone->scopes == 2);
  CHECK(gone->record_rows == 1010);
  CHECK(gone->record_chunks >= 2);
  CHECK(gone->record_bytes > 0);
  CHECK(gone->files == 2);
  CHECK(gone->file_bytes == 8 + std::string(R"({"g": 9.81})").size());
  CHECK(gone->contents_removed == 2);
  CHECK(gone->executions_removed == 1);
  CHECK(gone->executions_changed == 0);

  CHECK(Code(store.Find(a->id)) == "NotFound");
  CHECK(Code(store.GetStatus(a->id)) == "NotFound");
  CHECK(Code(store.ReadOutput(a->id)) == "NotFound");
  CHECK(Code(ListScopes(store, a->id)) == "NotFound");
  CHECK(Code(LoadFile(store, a->id, "notes.txt")) == "NotFound");
  CHECK(Code(store.FindExecution(1)) == "NotFound");
  auto list = store.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == b->id);
  auto again = store.Get("m", R"({"a": 1})");
  REQUIRE(again.ok());
  CHECK_FALSE(again->stored);
  CHECK(Traces(store, key).empty());
  // Nothing left in the contents either: no header or chunk names a file.
  auto blobs = internal::ScanPairs(*internal::StateOf(store), internal::kCfBlobs);
  REQUIRE(blobs.ok());
  CHECK(blobs->empty());
  auto report = CheckStore(store);
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(report->experiments == 1);
  CHECK(RefsFixed(store) == 0);
  CHECK(store.Find(b->id).ok());
}

TEST_CASE("After Delete, Get returns the previous stored experiment of the definition, or a new one") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto first = store.Create({.module = "m", .config = R"({"x": 1})"});
  auto second = store.Create({.module = "m", .config = R"({"x": 1.0})"});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(store.Get("m", R"({"x": 1})")->id == second->id);
  REQUIRE(store.Delete(second->id).ok());
  auto got = store.Get("m", R"({"x": 1})");
  REQUIRE(got.ok());
  CHECK(got->stored);
  CHECK(got->id == first->id);
  CHECK(got->key == KeyOf(store, first->id));
  // definitions value := count(4, BE) record: count is 1 + the latest's ordinal (doc/format.md).
  std::string def;
  const internal::StoreState& st = *internal::StateOf(store);
  REQUIRE(st.db->Get({}, st.handle(internal::kCfDefinitions), got->key.substr(0, 16), &def).ok());
  CHECK(def.substr(0, 4) == std::string("\0\0\0\x01", 4));
  CHECK(got->key.substr(16) == std::string("\0\0\0\0", 4));
  auto third = store.Create({.module = "m", .config = R"({"x": 1})"});
  REQUIRE(third.ok());
  CHECK(store.Get("m", R"({"x": 1})")->id == third->id);
  REQUIRE(store.Delete(first->id).ok());  // an older one: the latest stays
  CHECK(store.Get("m", R"({"x": 1})")->id == third->id);
  REQUIRE(store.Delete(third->id).ok());
  got = store.Get("m", R"({"x": 1})");
  REQUIRE(got.ok());
  CHECK_FALSE(got->stored);
  auto fourth = store.Create({.module = "m", .config = R"({"x": 1})"});
  REQUIRE(fourth.ok());
  CHECK(store.Get("m", R"({"x": 1})")->id == fourth->id);
  CHECK(store.Find(fourth->id)->id == fourth->id);
}

TEST_CASE("A file shared by two experiments survives deleting one; the last reference frees it") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  auto b = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  std::string big(3 << 20, 'x');  // above the inline size: an uploaded content
  for (const auto& id : {a->id, b->id}) {
    REQUIRE(SaveFile(store, id, "shared.txt", "same bytes").ok());
    REQUIRE(SaveFile(store, id, "big.bin", big).ok());
  }
  auto gone = store.Delete(a->id);
  REQUIRE(gone.ok());
  CHECK(gone->files == 2);
  CHECK(gone->contents_removed == 0);
  CHECK(*LoadFile(store, b->id, "shared.txt") == "same bytes");
  CHECK(*LoadFile(store, b->id, "big.bin") == big);
  CHECK(RefsFixed(store) == 0);
  gone = store.Delete(b->id);
  REQUIRE(gone.ok());
  CHECK(gone->contents_removed == 2);
  CHECK(gone->content_bytes_removed == big.size() + 10);
  CHECK(internal::ScanPairs(*internal::StateOf(store), internal::kCfBlobs)->empty());
  CHECK(RefsFixed(store) == 0);
}

TEST_CASE("Delete refuses an experiment with derived experiments unless asked, then deletes deepest first") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  REQUIRE(a.ok());
  auto c = store.Create({.module = "m", .config = R"({"c": 1})", .ancestor = a->id});
  REQUIRE(c.ok());
  auto d = store.Create({.module = "m", .config = R"({"d": 1})", .ancestor = c->id});
  REQUIRE(d.ok());
  auto other = store.Create({.module = "m", .config = R"({"e": 1})", .ancestor = a->id});
  REQUIRE(other.ok());

  auto refused = store.Delete(a->id);
  CHECK(Code(refused) == "InvalidArgument");
  CHECK(Has(refused.status().message(), c->id));
  CHECK(Has(refused.status().message(), other->id));
  CHECK(Has(refused.status().ToString(), "derived"));
  CHECK(store.Find(a->id).ok());
  CHECK(store.Derived(a->id)->size() == 2);
  CHECK(Code(store.Delete(c->id)) == "InvalidArgument");  // d is derived from c

  auto leaf = store.Delete(other->id);  // a leaf: its ancestor only loses the link
  REQUIRE(leaf.ok());
  auto derived = store.Derived(a->id);
  REQUIRE(derived.ok());
  REQUIRE(derived->size() == 1);
  CHECK((*derived)[0].id == c->id);

  auto tree = store.Delete(a->id, {.derived = true});
  REQUIRE(tree.ok());
  CHECK(tree->experiments == std::vector<std::string>{d->id, c->id, a->id});
  for (const auto& id : {a->id, c->id, d->id}) CHECK(Code(store.Find(id)) == "NotFound");
  CHECK(store.List()->empty());
  auto report = CheckStore(store);
  REQUIRE(report.ok());
  CHECK(report->ok());
}

TEST_CASE("DeleteMany deletes an ancestor named with all its derived experiments without the option") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  REQUIRE(a.ok());
  auto c = store.Create({.module = "m", .config = R"({"c": 1})", .ancestor = a->id});
  REQUIRE(c.ok());
  auto gone = store.DeleteMany({a->id, c->id, a->id});
  REQUIRE(gone.ok());
  CHECK(gone->experiments == std::vector<std::string>{c->id, a->id});
  CHECK(store.List()->empty());
}

TEST_CASE("An execution loses a deleted member and goes with its last one") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  auto b = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto x = store.CreateExecution({.members = {a->id, b->id}, .resources = {{a->id, R"({"cpu": 1})"}}});
  REQUIRE(x.ok());
  REQUIRE(store.SetExecutionEnv(x->number, a->id, R"({"host": "n1"})").ok());
  auto gone = store.Delete(a->id);
  REQUIRE(gone.ok());
  CHECK(gone->executions_changed == 1);
  auto kept = store.FindExecution(x->number);
  REQUIRE(kept.ok());
  CHECK(kept->members == std::vector<std::string>{b->id});
  REQUIRE(kept->resources.size() == 1);
  CHECK(kept->resources[0].first == b->id);
  CHECK(kept->env.empty());
  CHECK(store.Executions(b->id)->size() == 1);
  gone = store.Delete(b->id);
  REQUIRE(gone.ok());
  CHECK(gone->executions_removed == 1);
  CHECK(Code(store.FindExecution(x->number)) == "NotFound");
  CHECK(GetStoreStats(store)->executions == 0);
  auto next = store.CreateExecution({.members = {store.Create({.module = "m"})->id}});
  REQUIRE(next.ok());
  CHECK(next->number > x->number);  // numbers are not reused
}

TEST_CASE("Delete errors: bad id, unknown id, no ids, read-only store, an open RecordWriter; nothing changes") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string id;
  {
    Store store = test::OpenStore(dir);
    auto a = store.Create({.module = "m"});
    REQUIRE(a.ok());
    id = a->id;
    auto bad = store.Delete("bad!");
    CHECK(Code(bad) == "InvalidArgument");
    CHECK(Has(bad.status().message(), "bad!"));
    auto missing = store.Delete("zzzzzz");
    CHECK(Code(missing) == "NotFound");
    CHECK(Has(missing.status().message(), "zzzzzz"));
    CHECK(Code(store.DeleteMany({id, "zzzzzz"})) == "NotFound");  // all or nothing
    CHECK(store.Find(id).ok());
    CHECK(Code(store.DeleteMany({})) == "InvalidArgument");
    {
      auto w = RecordWriter::Open(store, id, "train");
      REQUIRE(w.ok());
      auto busy = store.Delete(id);
      CHECK(Code(busy) == "InvalidArgument");
      CHECK(Has(busy.status().message(), "\"train\""));
      CHECK(Has(busy.status().message(), "RecordWriter"));
      CHECK(store.Find(id).ok());
      REQUIRE(w->Close().ok());
    }
    REQUIRE(store.Close().ok());
  }
  {
    auto reader = Store::Open({.read_only = true}, dir);
    REQUIRE(reader.ok());
    auto ro = reader->Delete(id);
    CHECK(Code(ro) == "InvalidArgument");
    CHECK(Has(ro.status().message(), "read-only"));
  }
  Store store = test::OpenStore(dir);
  CHECK(store.Find(id).ok());
  REQUIRE(store.Delete(id).ok());
  REQUIRE(store.Close().ok());
  CHECK(Code(store.Delete(id)) == "InvalidArgument");  // closed
}

TEST_CASE("A FileWriter of an experiment deleted meanwhile stores nothing at Close") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m"});
  REQUIRE(a.ok());
  auto w = FileWriter::Open(store, a->id, "data/stream.bin");
  REQUIRE(w.ok());
  REQUIRE(w->Append(std::string(2 << 20, 'y')).ok());
  REQUIRE(store.Delete(a->id).ok());
  auto closed = w->Close();
  CHECK(Code(closed) == "NotFound");
  CHECK(Has(closed.message(), "was deleted"));
  CHECK(internal::ScanPairs(*internal::StateOf(store), internal::kCfFiles)->empty());
  CHECK(RefsFixed(store) == 0);
  CHECK(internal::ScanPairs(*internal::StateOf(store), internal::kCfBlobs)->empty());
}

TEST_CASE("Delete of a large scope returns its disk space") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string id;
  auto records_bytes = [](Store& s) {
    auto stats = GetStoreStats(s);
    REQUIRE(stats.ok());
    for (const auto& cf : stats->column_families) {
      if (cf.name == "records") return cf.table_bytes;
    }
    return uint64_t{0};
  };
  {
    Store store = test::OpenStore(dir);
    auto a = store.Create({.module = "m"});
    REQUIRE(a.ok());
    id = a->id;
    Log(store, id, "default", 400000, /*random=*/true);  // ~3 MiB of doubles that do not compress
    REQUIRE(store.Close().ok());
  }
  Store store = test::OpenStore(dir);
  uint64_t before = records_bytes(store);
  CHECK(before > (2u << 20));
  auto gone = store.Delete(id);
  REQUIRE(gone.ok());
  CHECK(gone->record_rows == 400000);
  uint64_t after = records_bytes(store);
  MESSAGE("records table bytes before delete: " << before << ", after: " << after);
  CHECK(after < before / 20);
}

TEST_CASE("Delete records the id for the next export under meta \"deleted/\" id (format golden)") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .id = "rm3SAJ"});
  REQUIRE(a.ok());
  CHECK(internal::DeletedIds(*internal::StateOf(store))->empty());
  REQUIRE(store.Delete("rm3SAJ").ok());
  CHECK(internal::DeletedKey("rm3SAJ") == "deleted/rm3SAJ");
  std::string value;
  const internal::StoreState& st = *internal::StateOf(store);
  REQUIRE(st.db->Get({}, st.handle(internal::kCfMeta), "deleted/rm3SAJ", &value).ok());
  CHECK(value.empty());
  CHECK(*internal::DeletedIds(*internal::StateOf(store)) == std::vector<std::string>{"rm3SAJ"});
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
