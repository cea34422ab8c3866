// UnionIterator against a model: the merged map of several sorted parts, where
// a key held by several parts shows the value of the lowest-indexed one.
#include "store/union_iterator.h"

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "test_util.h"

namespace labstore::internal {
namespace {

// A rocksdb::Iterator over a sorted map: the unit under test is the merge, not
// RocksDB (the last case uses real databases).
class MapIterator final : public rocksdb::Iterator {
 public:
  explicit MapIterator(const std::map<std::string, std::string>* m) : m_(m), it_(m->end()) {}
  bool Valid() const override { return it_ != m_->end(); }
  void SeekToFirst() override { it_ = m_->begin(); }
  void SeekToLast() override { it_ = m_->empty() ? m_->end() : std::prev(m_->end()); }
  void Seek(const rocksdb::Slice& t) override { it_ = m_->lower_bound(t.ToString()); }
  void SeekForPrev(const rocksdb::Slice& t) override {
    auto up = m_->upper_bound(t.ToString());
    it_ = up == m_->begin() ? m_->end() : std::prev(up);
  }
  void Next() override { ++it_; }
  void Prev() override { it_ = it_ == m_->begin() ? m_->end() : std::prev(it_); }
  rocksdb::Slice key() const override { return it_->first; }
  rocksdb::Slice value() const override { return it_->second; }
  rocksdb::Status status() const override { return rocksdb::Status::OK(); }

 private:
  const std::map<std::string, std::string>* m_;
  std::map<std::string, std::string>::const_iterator it_;
};

using Parts = std::vector<std::map<std::string, std::string>>;

UnionIterator Over(const Parts& parts) {
  std::vector<std::unique_ptr<rocksdb::Iterator>> children;
  for (const auto& p : parts) children.push_back(std::make_unique<MapIterator>(&p));
  return UnionIterator(std::move(children));
}

// key -> (value, part) of the lowest part holding the key.
std::map<std::string, std::pair<std::string, size_t>> Model(const Parts& parts) {
  std::map<std::string, std::pair<std::string, size_t>> m;
  for (size_t i = parts.size(); i-- > 0;) {
    for (const auto& [k, v] : parts[i]) m[k] = {v, i};
  }
  return m;
}

TEST_SUITE("store") {

TEST_CASE("union iterator: forward and backward walks show each key once, lowest part wins") {
  Parts parts(3);
  parts[0] = {{"b", "0b"}, {"d", "0d"}};
  parts[1] = {{"a", "1a"}, {"b", "1b"}, {"e", "1e"}};
  parts[2] = {{"b", "2b"}, {"c", "2c"}, {"e", "2e"}};
  UnionIterator it = Over(parts);
  std::string seen;
  for (it.SeekToFirst(); it.Valid(); it.Next()) seen += it.value().ToString() + std::to_string(it.part()) + " ";
  CHECK(seen == "1a1 0b0 2c2 0d0 1e1 ");
  seen.clear();
  for (it.SeekToLast(); it.Valid(); it.Prev()) seen += it.value().ToString() + " ";
  CHECK(seen == "1e 0d 2c 0b 1a ");
  CHECK(it.status().ok());
}

TEST_CASE("union iterator: Seek, SeekForPrev and direction changes") {
  Parts parts(2);
  parts[0] = {{"b", "0b"}, {"d", "0d"}};
  parts[1] = {{"b", "1b"}, {"c", "1c"}, {"f", "1f"}};
  UnionIterator it = Over(parts);
  it.Seek("c");
  REQUIRE(it.Valid());
  CHECK(it.key() == "c");
  it.Prev();  // forward -> reverse: "b" once, from part 0
  REQUIRE(it.Valid());
  CHECK(it.value() == "0b");
  it.Prev();
  CHECK_FALSE(it.Valid());
  it.SeekForPrev("e");
  REQUIRE(it.Valid());
  CHECK(it.key() == "d");
  it.Next();  // reverse -> forward
  REQUIRE(it.Valid());
  CHECK(it.key() == "f");
  it.Next();
  CHECK_FALSE(it.Valid());
  it.Seek("g");
  CHECK_FALSE(it.Valid());
  it.SeekForPrev("a");
  CHECK_FALSE(it.Valid());
}

TEST_CASE("union iterator: random operations agree with the model") {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    Parts parts(1 + rng() % 5);
    for (size_t p = 0; p < parts.size(); ++p) {
      int n = static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) {
        std::string k(1, static_cast<char>('a' + rng() % 16));
        parts[p][k] = std::to_string(p) + k;
      }
    }
    auto model = Model(parts);
    UnionIterator it = Over(parts);
    auto m = model.end();
    auto check = [&](const char* op) {
      INFO("round " << round << " after " << op);
      REQUIRE(it.Valid() == (m != model.end()));
      if (m != model.end()) {
        CHECK(it.key().ToString() == m->first);
        CHECK(it.value().ToString() == m->second.first);
        CHECK(it.part() == m->second.second);
      }
    };
    for (int step = 0; step < 40; ++step) {
      std::string t(1, static_cast<char>('a' + rng() % 17));
      switch (it.Valid() ? rng() % 6 : rng() % 4) {
        case 0: it.SeekToFirst(); m = model.begin(); check("SeekToFirst"); break;
        case 1: it.SeekToLast(); m = model.empty() ? model.end() : std::prev(model.end()); check("SeekToLast"); break;
        case 2: it.Seek(t); m = model.lower_bound(t); check("Seek"); break;
        case 3: {
          it.SeekForPrev(t);
          auto up = model.upper_bound(t);
          m = up == model.begin() ? model.end() : std::prev(up);
          check("SeekForPrev");
          break;
        }
        case 4: it.Next(); ++m; check("Next"); break;
        default: it.Prev(); m = m == model.begin() ? model.end() : std::prev(m); check("Prev"); break;
      }
    }
  }
}

TEST_CASE("union iterator: over real databases") {
  test::TempDir dir;
  std::vector<std::unique_ptr<rocksdb::DB>> dbs;
  rocksdb::Options o;
  o.create_if_missing = true;
  for (int p = 0; p < 3; ++p) {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, dir.Sub("db" + std::to_string(p)), &raw).ok());
    dbs.emplace_back(raw);
    for (int i = p; i < 30; i += 3) {  // disjoint keys, and "k15" in every part
      REQUIRE(dbs.back()->Put(rocksdb::WriteOptions(), "k" + std::to_string(10 + i), "v").ok());
    }
    REQUIRE(dbs.back()->Put(rocksdb::WriteOptions(), "k15", "part" + std::to_string(p)).ok());
  }
  std::vector<std::unique_ptr<rocksdb::Iterator>> children;
  for (auto& db : dbs) children.emplace_back(db->NewIterator(rocksdb::ReadOptions()));
  {
    UnionIterator it(std::move(children));
    int n = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
      ++n;
      if (it.key() == "k15") CHECK(it.value() == "part0");
    }
    CHECK(n == 30);
    CHECK(it.status().ok());
  }
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
