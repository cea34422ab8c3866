#include "store/union_read.h"

#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "store/union_iterator.h"

namespace labstore::internal {
namespace {

// The options for a view: the caller's, without the own database's snapshot.
rocksdb::ReadOptions ForView(const rocksdb::ReadOptions& ro) {
  rocksdb::ReadOptions v = ro;
  v.snapshot = nullptr;
  return v;
}

template <typename Value>
rocksdb::Status GetFirst(const StoreState& st, Cf cf, const rocksdb::Slice& key, Value* value,
                         const rocksdb::ReadOptions& ro, size_t* part) {
  if (part) *part = 0;
  rocksdb::Status s = st.db->Get(ro, st.handle(cf), key, value);
  if (!s.IsNotFound() || st.views.empty()) return s;
  rocksdb::ReadOptions vro = ForView(ro);
  for (size_t i = 0; i < st.views.size(); ++i) {
    const Part& view = *st.views[i];
    if (!view.db) continue;
    if constexpr (std::is_same_v<Value, rocksdb::PinnableSlice>) value->Reset();
    s = view.db->Get(vro, view.handle(cf), key, value);
    if (part) *part = i + 1;
    if (!s.IsNotFound()) return s;
  }
  return rocksdb::Status::NotFound();
}

}  // namespace

rocksdb::Status GetAny(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::string* value,
                       const rocksdb::ReadOptions& ro, size_t* part) {
  return GetFirst(st, cf, key, value, ro, part);
}

rocksdb::Status GetAny(const StoreState& st, Cf cf, const rocksdb::Slice& key, rocksdb::PinnableSlice* value,
                       const rocksdb::ReadOptions& ro, size_t* part) {
  return GetFirst(st, cf, key, value, ro, part);
}

rocksdb::Status GetIn(const StoreState& st, size_t part, Cf cf, const rocksdb::Slice& key,
                      rocksdb::PinnableSlice* value, const rocksdb::ReadOptions& ro) {
  if (part == 0) return st.db->Get(ro, st.handle(cf), key, value);
  if (part > st.views.size() || !st.views[part - 1]->db) return rocksdb::Status::NotFound();
  const Part& view = *st.views[part - 1];
  return view.db->Get(ForView(ro), view.handle(cf), key, value);
}

rocksdb::Status GetEvery(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::vector<std::string>* values,
                         const rocksdb::ReadOptions& ro) {
  values->clear();
  std::string value;
  rocksdb::Status s = st.db->Get(ro, st.handle(cf), key, &value);
  if (s.ok()) values->push_back(std::move(value));
  else if (!s.IsNotFound()) return s;
  rocksdb::ReadOptions vro = ForView(ro);
  for (const auto& view : st.views) {
    if (!view->db) continue;
    s = view->db->Get(vro, view->handle(cf), key, &value);
    if (s.ok()) values->push_back(std::move(value));
    else if (!s.IsNotFound()) return s;
  }
  return rocksdb::Status::OK();
}

rocksdb::Status GetLatest(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::string* value,
                          NewerValue newer, const rocksdb::ReadOptions& ro) {
  if (st.views.empty()) return st.db->Get(ro, st.handle(cf), key, value);
  std::vector<std::string> values;
  rocksdb::Status s = GetEvery(st, cf, key, &values, ro);
  if (!s.ok()) return s;
  if (values.empty()) return rocksdb::Status::NotFound();
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    if (newer(values[i], values[best])) best = i;
  }
  *value = std::move(values[best]);
  return rocksdb::Status::OK();
}

std::unique_ptr<rocksdb::Iterator> NewUnionIterator(const StoreState& st, Cf cf, const rocksdb::ReadOptions& ro) {
  std::unique_ptr<rocksdb::Iterator> own(st.db->NewIterator(ro, st.handle(cf)));
  if (st.views.empty()) return own;
  std::vector<std::unique_ptr<rocksdb::Iterator>> children;
  children.push_back(std::move(own));
  rocksdb::ReadOptions vro = ForView(ro);
  for (const auto& view : st.views) {
    // An empty child for a null view keeps part() - 1 an index into st.views.
    children.emplace_back(view->db ? view->db->NewIterator(vro, view->handle(cf)) : rocksdb::NewEmptyIterator());
  }
  return std::make_unique<UnionIterator>(std::move(children));
}

const Part* ViewHolding(const StoreState& st, Cf cf, std::string_view prefix) {
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (const auto& view : st.views) {
    if (!view->db) continue;
    std::unique_ptr<rocksdb::Iterator> it(view->db->NewIterator(rocksdb::ReadOptions(), view->handle(cf)));
    it->Seek(p);
    if ((it->Valid() && it->key().starts_with(p)) || !it->status().ok()) return view.get();
  }
  return nullptr;
}

const Part* ViewHoldingKey(const StoreState& st, Cf cf, const rocksdb::Slice& key) {
  for (const auto& view : st.views) {
    if (!view->db) continue;
    rocksdb::PinnableSlice value;
    rocksdb::Status s = view->db->Get(rocksdb::ReadOptions(), view->handle(cf), key, &value);
    if (!s.IsNotFound()) return view.get();
  }
  return nullptr;
}

std::string PartName(int number) {
  return number == 0 ? std::string("the main database") : fmt::format("shards/{}", number);
}

}  // namespace labstore::internal
