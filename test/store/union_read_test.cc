// The union read layer (store/union_read.h) and every public reader over it.
// A store with a shard is built by hand, as mw-open's Open will: a second
// store directory, given distinct numbers (sequences, executions) before it is
// written, is opened read-only with OpenPart and pushed into the first store's
// views. Everything is then asserted through the first store's public API.
#include "store/union_read.h"

#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "store/part.h"
#include "store/store_state.h"
#include "store/union_iterator.h"
#include "test_util.h"
#include "util/coding.h"

namespace labstore::internal {
namespace {

using test::Code;
using test::OpenStore;
using test::TempDir;

// A store whose own numbers start far above a fresh store's: as shard n's
// will (doc/many-writers.md, "Numbers"), until mw-open draws them so.
Store OpenNumbered(const std::string& dir) {
  Store s = OpenStore(dir);
  StoreState* st = StateOf(s);
  st->next_sequence = uint64_t{1} << 40;
  std::string count;
  PutFixed64(&count, 1000);
  REQUIRE(st->db->Put(rocksdb::WriteOptions(), st->handle(kCfMeta), "execution_count", count).ok());
  return s;
}

// Makes the database in `dir` a read-only view (part `number`) of `store`;
// DropViews closes them again before the store closes.
void AddView(Store& store, const std::string& dir, int number) {
  auto part = std::make_unique<Part>();
  part->number = number;
  part->dir = dir;
  part->read_only = true;
  REQUIRE(OpenPart(StoreOptions{}, part.get()).ok());
  StateOf(store)->views.push_back(std::move(part));
}

struct ViewsGuard {
  Store& store;
  ~ViewsGuard() {
    for (auto& v : StateOf(store)->views) (void)ClosePart(v.get());
    StateOf(store)->views.clear();
  }
};

Experiment Create(Store& s, const std::string& module, int64_t timestamp, const std::string& config = "{}") {
  auto e = s.Create({.module = module, .config = config, .timestamp = timestamp});
  REQUIRE(e.ok());
  return *e;
}

void WriteRows(Store& s, const std::string& id, const std::string& column, int first, int count) {
  auto w = RecordWriter::Open(s, id, "s");
  REQUIRE(w.ok());
  for (int i = first; i < first + count; ++i) {
    w->Set(column, int64_t{i});
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
}

std::vector<std::string> Modules(const std::vector<Experiment>& es) {
  std::vector<std::string> out;
  for (const auto& e : es) out.push_back(e.module);
  return out;
}

TEST_CASE("union read: with no views every call is the own database's") {
  TempDir dir;
  Store s = OpenStore(dir.path());
  StoreState& st = *StateOf(s);
  REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), "k", "own").ok());
  std::string value;
  CHECK(GetAny(st, kCfMeta, "k", &value).ok());
  CHECK(value == "own");
  CHECK(GetAny(st, kCfMeta, "missing", &value).IsNotFound());
  CHECK(GetLatest(st, kCfMeta, "k", &value, [](std::string_view, std::string_view) { return true; }).ok());
  CHECK(value == "own");
  auto it = NewUnionIterator(st, kCfMeta);
  CHECK(dynamic_cast<UnionIterator*>(it.get()) == nullptr);  // the plain iterator
  CHECK(ViewHolding(st, kCfMeta, "k") == nullptr);
  CHECK(PartName(0) == "the main database");
  CHECK(PartName(3) == "shards/3");
}

TEST_CASE("union read: GetAny own first, GetLatest newest, GetEvery all, null views skipped") {
  TempDir a, b;
  {
    Store sb = OpenStore(b.path());
    StoreState& st = *StateOf(sb);
    for (auto [k, v] : {std::pair{"t/both", "9-view"}, {"t/view", "1-view"}, {"t/tie", "5-view"}})
      REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), k, v).ok());
  }
  Store s = OpenStore(a.path());
  StoreState& st = *StateOf(s);
  for (auto [k, v] : {std::pair{"t/both", "2-own"}, {"t/own", "3-own"}, {"t/tie", "5-own"}})
    REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), k, v).ok());
  ViewsGuard guard{s};
  st.views.push_back(std::make_unique<Part>());  // a shard still being created: no database
  AddView(s, b.path(), 2);
  auto newer = [](std::string_view x, std::string_view y) { return x[0] > y[0]; };
  std::string value;
  CHECK(GetAny(st, kCfMeta, "t/both", &value).ok());
  CHECK(value == "2-own");
  CHECK(GetAny(st, kCfMeta, "t/view", &value).ok());
  CHECK(value == "1-view");
  rocksdb::PinnableSlice pinned;
  CHECK(GetAny(st, kCfMeta, "t/view", &pinned).ok());
  CHECK(pinned.ToString() == "1-view");
  CHECK(GetAny(st, kCfMeta, "t/none", &value).IsNotFound());
  CHECK(GetLatest(st, kCfMeta, "t/both", &value, newer).ok());
  CHECK(value == "9-view");
  CHECK(GetLatest(st, kCfMeta, "t/tie", &value, newer).ok());
  CHECK(value == "5-own");  // a tie goes to the own part
  CHECK(GetLatest(st, kCfMeta, "t/none", &value, newer).IsNotFound());
  std::vector<std::string> every;
  CHECK(GetEvery(st, kCfMeta, "t/both", &every).ok());
  CHECK(every == std::vector<std::string>{"2-own", "9-view"});
  auto it = NewUnionIterator(st, kCfMeta);
  std::vector<std::string> keys;
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/"); it->Next()) keys.push_back(it->key().ToString());
  CHECK(keys == std::vector<std::string>{"t/both", "t/own", "t/tie", "t/view"});
  const Part* holder = ViewHolding(st, kCfMeta, "t/vi");
  REQUIRE(holder != nullptr);
  CHECK(holder->number == 2);
  CHECK(ViewHolding(st, kCfMeta, "t/own") == nullptr);
}

TEST_CASE("union read: Find, List, Derived and Get see experiments of a view") {
  TempDir a, b;
  std::string in_view, child, latest_view;
  {
    Store sb = OpenNumbered(b.path());
    in_view = Create(sb, "m.b20", 20).id;
    Create(sb, "m.b40", 40);
    // Get across parts: the view's ordinal 1 of m.same (ordinal 0 deleted, so
    // that the key differs from the own part's ordinal 0).
    std::string first = Create(sb, "m.same", 5).id;
    latest_view = Create(sb, "m.same", 50).id;
    REQUIRE(sb.Delete(first).ok());
    std::string old_first = Create(sb, "m.old", 1, R"({"x":1})").id;
    Create(sb, "m.old", 2, R"({"x":1})");  // ordinal 1: older than the own part's below
    REQUIRE(sb.Delete(old_first).ok());
  }
  Store s = OpenStore(a.path());
  Create(s, "m.a10", 10);
  Create(s, "m.a30", 30);
  std::string own_same = Create(s, "m.same", 45).id;
  Create(s, "m.old", 3, R"({"x":1})");
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  child = s.Create({.module = "m.child", .timestamp = 60, .ancestor = in_view})->id;

  auto found = s.Find(in_view);
  REQUIRE(found.ok());
  CHECK(found->module == "m.b20");
  auto derived = s.Derived(in_view);
  REQUIRE(derived.ok());
  REQUIRE(derived->size() == 1);
  CHECK(derived->front().id == child);
  CHECK(s.Find(child)->ancestor == in_view);

  auto all = s.List({.newest_first = false});
  REQUIRE(all.ok());
  CHECK(Modules(*all) == std::vector<std::string>{"m.old", "m.old", "m.a10", "m.b20", "m.a30", "m.b40",
                                                   "m.same", "m.same", "m.child"});
  auto newest = s.List({.newest_first = true, .limit = 3});
  REQUIRE(newest.ok());
  CHECK(Modules(*newest) == std::vector<std::string>{"m.child", "m.same", "m.same"});
  auto window = s.List({.since = 15, .until = 41, .newest_first = false});
  REQUIRE(window.ok());
  CHECK(Modules(*window) == std::vector<std::string>{"m.b20", "m.a30", "m.b40"});

  auto same = s.Get("m.same", "{}");
  REQUIRE(same.ok());
  CHECK(same->id == latest_view);  // timestamp 50 in the view beats 45 in the own part
  CHECK(same->stored);
  auto old = s.Get("m.old", R"({"x":1})");
  REQUIRE(old.ok());
  CHECK(old->timestamp == 3);  // the own part's is the newest
  CHECK(same->id != own_same);
}

TEST_CASE("union read: records of a scope in a view are read, and a writer continues them") {
  TempDir a, b;
  std::string id;
  {
    Store sb = OpenNumbered(b.path());
    id = Create(sb, "m.rec", 1).id;
    WriteRows(sb, id, "a", 0, 3);
  }
  Store s = OpenStore(a.path());
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  auto info = GetScope(s, id, "s");
  REQUIRE(info.ok());
  CHECK(info->rows == 3);
  CHECK(info->chunks == 1);
  WriteRows(s, id, "b", 3, 2);  // chunks 3.. into the own part
  auto merged = GetScope(s, id, "s");
  REQUIRE(merged.ok());
  CHECK(merged->rows == 5);
  CHECK(merged->chunks == 2);
  REQUIRE(merged->columns.size() == 2);
  CHECK(merged->columns[0].first == "a");
  CHECK(merged->columns[1].first == "b");
  auto listed = ListScopes(s, id);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().rows == 5);
  CHECK(listed->front().bytes == merged->bytes);
  auto cols = ReadColumns(s, id, "s");
  REQUIRE(cols.ok());
  CHECK(cols->rows == 5);
  const ColumnData* col_a = cols->Find("a");
  REQUIRE(col_a != nullptr);
  auto rows = ReadRows(s, id, "s", {.start = 2, .count = 2});
  REQUIRE(rows.ok());
  CHECK(rows->size() == 2);
  CHECK(CountRows(s, id, "s").value() == 5);
  // The view's chunks stay its writer's: clearing them here is refused.
  auto cleared = ClearRecords(s, id, "s");
  CHECK(Code(cleared) == "Busy");
  CHECK(cleared.ToString().find("shards/1") != std::string::npos);
}

TEST_CASE("union read: files, status, output and executions of a view") {
  TempDir a, b;
  std::string id;
  uint64_t number = 0;
  {
    Store sb = OpenNumbered(b.path());
    id = Create(sb, "m.files", 1).id;
    REQUIRE(SaveFile(sb, id, "x.bin", std::string(300000, 'v')).ok());
    REQUIRE(SaveData(sb, id, "r.json", DataValue::Json(R"({"g":1})")).ok());
    REQUIRE(sb.MarkStarted(id, Timestamp{100000000, 0}).ok());
    REQUIRE(sb.UpdateHeartbeat(id, Timestamp{300000000, 0}).ok());
    REQUIRE(sb.AppendOutput(id, "view ").ok());
    auto x = sb.CreateExecution({.members = {id}});
    REQUIRE(x.ok());
    number = x->number;
  }
  Store s = OpenStore(a.path());
  StateOf(s)->next_sequence = uint64_t{1} << 41;  // this process's writes come later, as their clock says
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  auto big = LoadFile(s, id, "x.bin");
  REQUIRE_MESSAGE(big.ok(), big.status().ToString());
  CHECK(*big == std::string(300000, 'v'));
  CHECK(LoadData(s, id, "r.json")->json() == R"({"g": 1})");
  auto files = ListFiles(s, id);
  REQUIRE(files.ok());
  CHECK(files->size() == 2);
  CHECK(Code(DeleteFile(s, id, "x.bin")) == "Busy");
  CHECK(Code(SaveFile(s, id, "x.bin/inner", "no")) == "InvalidArgument");  // x.bin is a file in the view
  REQUIRE(SaveFile(s, id, "own.txt", "mine").ok());
  CHECK(LoadFile(s, id, "own.txt").value() == "mine");

  REQUIRE(s.MarkStarted(id, Timestamp{200000000, 0}).ok());
  REQUIRE(s.UpdateHeartbeat(id, Timestamp{250000000, 0}).ok());  // older than the view's
  auto status = s.GetStatus(id);
  REQUIRE(status.ok());
  CHECK(status->started_at.size() == 2);
  REQUIRE(status->heartbeat_at);
  CHECK(status->heartbeat_at->unix_micros == 300000000);
  REQUIRE(s.MarkFinished(id, Timestamp{400000000, 0}).ok());
  status = s.GetStatus(id);
  CHECK(status->heartbeat_at->unix_micros == 400000000);
  CHECK(status->IsFinished());
  REQUIRE(s.AppendOutput(id, "own").ok());
  CHECK(s.ReadOutput(id).value() == "view own");

  auto x = s.FindExecution(number);
  REQUIRE(x.ok());
  CHECK(x->members == std::vector<std::string>{id});
  auto xs = s.Executions(id);
  REQUIRE(xs.ok());
  REQUIRE(xs->size() == 1);
  CHECK(xs->front().number == number);
  REQUIRE(s.SetExecutionEnv(number, id, R"({"e":1})").ok());  // written into the own part, read first
  CHECK(s.FindExecution(number)->env.front().second == R"({"e":1})");
}

TEST_CASE("union read: Delete of an experiment held by a view is Busy naming the part; ids are unique") {
  TempDir a, b;
  std::string id;
  {
    Store sb = OpenNumbered(b.path());
    id = Create(sb, "m.del", 1).id;
  }
  Store s = OpenStore(a.path());
  ViewsGuard guard{s};
  AddView(s, b.path(), 3);
  auto deleted = s.Delete(id);
  CHECK(Code(deleted) == "Busy");
  CHECK(deleted.status().ToString().find("shards/3") != std::string::npos);
  CHECK(s.Find(id).ok());  // nothing was deleted
  auto again = s.Create({.module = "m.other", .id = id});
  CHECK(Code(again) == "InvalidArgument");  // the id is taken in the view
  std::string mine = Create(s, "m.mine", 2).id;
  CHECK(s.Delete(mine).ok());  // the own part's experiments go as before
  CHECK(Code(s.Find(mine)) == "NotFound");
}

TEST_CASE("union read: check, stats and export see the union") {
  TempDir a, b, dest;
  std::string id;
  {
    Store sb = OpenNumbered(b.path());
    id = Create(sb, "m.check", 1).id;
    WriteRows(sb, id, "a", 0, 4);
    REQUIRE(SaveFile(sb, id, "f.txt", "hello").ok());
  }
  Store s = OpenStore(a.path());
  Create(s, "m.own", 2);
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  auto report = CheckStore(s);
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(report->experiments == 2);
  CHECK(report->rows == 4);
  CHECK(report->files == 1);
  auto stats = GetStoreStats(s);
  REQUIRE(stats.ok());
  CHECK(stats->experiments == 2);
  CHECK(stats->record_rows == 4);
  CHECK(stats->files == 1);
  auto exported = Export(s, dest.Sub("out"));
  REQUIRE(exported.ok());
  CHECK(exported->experiments == 2);
  CHECK(exported->record_rows == 4);
}

}  // namespace
}  // namespace labstore::internal
