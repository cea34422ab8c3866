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

#include "data/content_entry.h"
#include "experiment/keys.h"
#include "experiment/lookup.h"
#include "export/export_test_util.h"
#include "import/pending.h"
#include "labstore/labstore.h"
#include "record/scope.h"
#include "store/part.h"
#include "store/store_state.h"
#include "store/union_iterator.h"
#include "test_util.h"
#include "util/coding.h"
#include "util/hash.h"

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

// The database in `dir` with one experiment of `module` whose scope "s" has
// `rows` rows; `edit(state, experiment key)` then changes it by hand.
template <typename Edit>
std::string ViewWithRows(const std::string& dir, const std::string& module, int rows, Edit edit) {
  Store sb = OpenNumbered(dir);
  std::string id = Create(sb, module, 1).id;
  WriteRows(sb, id, "a", 0, rows);
  StoreState& vst = *StateOf(sb);
  edit(vst, LookupKey(vst, id).value());
  return id;
}

// Busy, naming `part`.
void CheckBusy(const Status& s, const std::string& part) {
  CHECK(Code(s) == "Busy");
  CHECK_MESSAGE(s.ToString().find(part) != std::string::npos, s.ToString());
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
  CHECK(ViewHoldingKey(st, kCfMeta, "t/vi") == nullptr);  // a prefix is not a key
  holder = ViewHoldingKey(st, kCfMeta, "t/view");
  REQUIRE(holder != nullptr);
  CHECK(holder->number == 2);
  CHECK(ViewHoldingKey(st, kCfMeta, "t/own") == nullptr);
}

TEST_CASE("union read: part indexes count null views: 0 own, i views[i - 1]") {
  TempDir a, b;
  {
    Store sb = OpenStore(b.path());
    REQUIRE(StateOf(sb)->db->Put(rocksdb::WriteOptions(), StateOf(sb)->handle(kCfMeta), "t/view", "v").ok());
  }
  Store s = OpenStore(a.path());
  StoreState& st = *StateOf(s);
  REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), "t/own", "o").ok());
  ViewsGuard guard{s};
  st.views.push_back(std::make_unique<Part>());  // index 1: no database
  AddView(s, b.path(), 4);                        // index 2
  auto it = NewUnionIterator(st, kCfMeta);
  auto* u = dynamic_cast<UnionIterator*>(it.get());
  REQUIRE(u != nullptr);
  std::vector<size_t> parts;
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/"); it->Next()) parts.push_back(u->part());
  CHECK(parts == std::vector<size_t>{0, 2});
  CHECK(st.views[parts[1] - 1]->number == 4);
  size_t part = 9;
  std::string value;
  CHECK(GetAny(st, kCfMeta, "t/view", &value, rocksdb::ReadOptions(), &part).ok());
  CHECK(part == 2);
  CHECK(GetAny(st, kCfMeta, "t/own", &value, rocksdb::ReadOptions(), &part).ok());
  CHECK(part == 0);
  for (size_t index : {size_t{2}, size_t{0}, size_t{1}, size_t{3}}) {  // the view, own, null view, past the views
    rocksdb::PinnableSlice pinned;
    rocksdb::Status got = GetIn(st, index, kCfMeta, "t/view", &pinned);
    CHECK(got.ok() == (index == 2));
    if (index != 2) CHECK(got.IsNotFound());
  }
}

TEST_CASE("union read: DeleteFile of a path a view holds too is Busy, and the own file stays") {
  TempDir a, b;
  std::string id;
  {
    Store sb = OpenNumbered(b.path());
    id = Create(sb, "m.twice", 1).id;
    REQUIRE(SaveFile(sb, id, "f.txt", "older, the view's").ok());
    REQUIRE(SaveFile(sb, id, "only_view.txt", "v").ok());
  }
  Store s = OpenStore(a.path());
  ViewsGuard guard{s};
  AddView(s, b.path(), 2);
  REQUIRE(SaveFile(s, id, "f.txt", "newer, the own part's").ok());
  REQUIRE(SaveFile(s, id, "mine.txt", "m").ok());
  Status deleted = DeleteFile(s, id, "f.txt");
  CheckBusy(deleted, "shards/2");
  CHECK(LoadFile(s, id, "f.txt").value() == "newer, the own part's");  // nothing was deleted
  Status view_only = DeleteFile(s, id, "only_view.txt");
  CheckBusy(view_only, "shards/2");
  CHECK(DeleteFile(s, id, "mine.txt").ok());  // held by the own part alone
  CHECK(Code(LoadFile(s, id, "mine.txt")) == "NotFound");
  CHECK(Code(DeleteFile(s, id, "none.txt")) == "NotFound");
}

TEST_CASE("union read: a content's chunks are read from the part that holds its header") {
  // Both parts are made to number their content alike (two stores' main
  // databases, both part 0, with the same sequence floor): the own part's
  // chunks of that data_id are another content.
  constexpr uint64_t kSameFloor = uint64_t{1} << 63;  // above any clock-based draw
  TempDir a, b;
  std::string id;
  const std::string view_bytes(300000, 'v'), own_bytes(300000, 'o');
  {
    Store sb = OpenStore(b.path());
    id = Create(sb, "m.chunks", 1).id;
    StateOf(sb)->next_sequence = kSameFloor;
    REQUIRE(SaveFile(sb, id, "v.bin", view_bytes).ok());
  }
  Store s = OpenStore(a.path());
  std::string own_id = Create(s, "m.own", 2).id;
  StateOf(s)->next_sequence = kSameFloor;
  REQUIRE(SaveFile(s, own_id, "o.bin", own_bytes).ok());
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  StoreState& st = *StateOf(s);
  std::string value;
  Header in_view, in_own;
  REQUIRE(st.views[0]->db->Get(rocksdb::ReadOptions(), st.views[0]->handle(kCfBlobs), HeaderKey(Hash128(view_bytes)),
                               &value).ok());
  REQUIRE(DecodeHeader(value, &in_view));
  REQUIRE(st.db->Get(rocksdb::ReadOptions(), st.handle(kCfBlobs), HeaderKey(Hash128(own_bytes)), &value).ok());
  REQUIRE(DecodeHeader(value, &in_own));
  REQUIRE(in_view.data_id == in_own.data_id);
  auto loaded = LoadFile(s, id, "v.bin");
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK(*loaded == view_bytes);
  CHECK(LoadFile(s, own_id, "o.bin").value() == own_bytes);
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

TEST_CASE("union read: Get finds a view's latest experiment whose id the own part also uses") {
  TempDir a, b;
  std::string shared_id, view_key;
  {
    Store sb = OpenNumbered(b.path());
    Experiment e = Create(sb, "m.shared", 50);
    shared_id = e.id;
    view_key = e.key;
  }
  Store s = OpenStore(a.path());
  // Before the view is seen: the same id drawn by this writer, for another definition.
  std::string own_key = s.Create({.module = "m.mine", .timestamp = 10, .id = shared_id})->key;
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  auto got = s.Get("m.shared", "{}");
  REQUIRE_MESSAGE(got.ok(), got.status().ToString());
  CHECK(got->module == "m.shared");
  CHECK(got->key == view_key);
  CHECK(got->key != own_key);
  CHECK(s.Get("m.mine", "{}")->key == own_key);
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
  CheckBusy(cleared, "shards/1");
}

TEST_CASE("union read: a writer refuses to continue a scope whose next chunk a view holds") {
  TempDir a, b;
  // A chunk from row 3 on that the scope's metadata does not count yet, as a
  // view caught up between another writer's chunk and its metadata shows.
  std::string id = ViewWithRows(b.path(), "m.behind", 3, [](StoreState& vst, const std::string& key) {
    REQUIRE(vst.db->Put(rocksdb::WriteOptions(), vst.handle(kCfRecords), RecordKey(key, "s", 3), "later").ok());
  });
  Store s = OpenStore(a.path());
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  for (int attempt = 0; attempt < 2; ++attempt) {  // the claim is given back each time
    CheckBusy(RecordWriter::Open(s, id, "s").status(), "shards/1");
  }
  CHECK(CountRows(s, id, "s").value() == 3);
  auto other = RecordWriter::Open(s, id, "t");  // another scope is free
  CHECK(other.ok());
}

TEST_CASE("union read: ClearRecords is Busy when a view holds the scope's metadata alone") {
  TempDir a, b;
  std::string id = ViewWithRows(b.path(), "m.meta", 2, [](StoreState& vst, const std::string& key) {
    std::string begin = RecordPrefix(key, "s");
    REQUIRE(vst.db->DeleteRange(rocksdb::WriteOptions(), vst.handle(kCfRecords), begin, begin + std::string(9, '\xff'))
                .ok());
  });
  Store s = OpenStore(a.path());
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);
  Status cleared = ClearRecords(s, id, "s");
  CheckBusy(cleared, "shards/1");
  CHECK(GetScope(s, id, "s")->rows == 2);  // nothing was cleared
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
  // A copy rewritten into the own part would diverge from the view's.
  Status env = s.SetExecutionEnv(number, id, R"({"e":1})");
  CheckBusy(env, "shards/1");
  CHECK(s.FindExecution(number)->env.empty());
  CHECK(Code(s.SetExecutionEnv(number + 1000000, id, "{}")) == "NotFound");
}

TEST_CASE("union read: Delete is Busy for an execution of another part; untouched executions are not counted") {
  TempDir a, b;
  uint64_t view_number = 0;
  {
    Store sb = OpenNumbered(b.path());
    std::string member = Create(sb, "m.vx", 1).id;
    auto x = sb.CreateExecution({.members = {member}});
    REQUIRE(x.ok());
    view_number = x->number;
  }
  Store s = OpenStore(a.path());
  StoreState& st = *StateOf(s);
  std::string kept = Create(s, "m.kept", 2).id;
  std::string stray = Create(s, "m.stray", 3).id;
  std::string linked = Create(s, "m.linked", 4).id;
  auto own = s.CreateExecution({.members = {kept}});
  REQUIRE(own.ok());
  // Status keys naming executions that do not list the experiment (by hand:
  // the view's execution, and an own execution of another member).
  auto put_link = [&](const std::string& id, uint64_t number) {
    auto key = LookupKey(st, id);
    REQUIRE(key.ok());
    REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(kCfStatus), StatusKey(*key, StatusKind::kExecution, number),
                       "").ok());
  };
  put_link(stray, own->number);
  put_link(linked, view_number);
  ViewsGuard guard{s};
  AddView(s, b.path(), 1);

  auto deleted = s.Delete(stray);
  REQUIRE_MESSAGE(deleted.ok(), deleted.status().ToString());
  CHECK(deleted->executions_removed == 0);
  CHECK(deleted->executions_changed == 0);
  CHECK(s.FindExecution(own->number)->members == std::vector<std::string>{kept});

  auto busy = s.Delete(linked);
  CheckBusy(busy.status(), "shards/1");
  CHECK(s.Find(linked).ok());  // nothing was deleted
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

TEST_CASE("union read: an import resumes only what its own part left pending") {
  TempDir a, b;
  {
    Store sb = OpenNumbered(b.path());
    auto first = Import(sb, test::kGolden);
    REQUIRE(first.ok());
    REQUIRE(first->clean());
    // As if the view's import was killed while writing rm3SAJ.
    REQUIRE(SetImportPending(*StateOf(sb), "rm3SAJ", true).ok());
  }
  Store s = OpenStore(a.path());
  StoreState& st = *StateOf(s);
  ViewsGuard guard{s};
  AddView(s, b.path(), 2);
  CHECK(IsImportPending(st, "rm3SAJ").value());  // check reads the union
  auto own = IsOwnImportPending(st, "rm3SAJ");
  CheckBusy(own.status(), "shards/2");
  CHECK_FALSE(IsOwnImportPending(st, "HzaTkK").value());

  auto again = Import(s, test::kGolden);
  REQUIRE(again.ok());
  INFO(again->ToString());
  CHECK(again->imported.empty());
  CHECK(again->failed == std::vector<std::string>{"rm3SAJ"});
  REQUIRE_FALSE(again->problems.empty());
  CHECK(again->problems.front().experiment_id == "rm3SAJ");
  CHECK(again->problems.front().message.find("shards/2") != std::string::npos);
  // Nothing of it was written into the own part, and the view's flag stays.
  std::string value;
  CHECK(st.db->Get(rocksdb::ReadOptions(), st.handle(kCfIds), "rm3SAJ", &value).IsNotFound());
  CHECK(IsImportPending(st, "rm3SAJ").value());

  REQUIRE(SetImportPending(st, "HzaTkK", true).ok());  // the own part's: resumed here
  CHECK(IsOwnImportPending(st, "HzaTkK").value());
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
