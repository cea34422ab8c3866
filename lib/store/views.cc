// Read-only views of a store's other parts (views.h).
#include "store/views.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "store/creation.h"
#include "store/shard_dir.h"

namespace labstore::internal {

namespace {

std::string PartDir(const StoreState& st, int number) {
  return number == 0 ? st.dir : ShardPath(st.dir, number);
}

// Opens part `number` read-only; null when it is incomplete or was removed
// meanwhile (a merge).
Result<std::unique_ptr<Part>> OpenView(const StoreState& st, int number) {
  auto part = std::make_unique<Part>();
  part->number = number;
  part->dir = PartDir(st, number);
  part->read_only = true;
  Status s = OpenPart(st.options, part.get());
  if (s.ok()) return part;
  if (s.IsNotFound() || (number != 0 && !ShardComplete(part->dir))) return std::unique_ptr<Part>();
  return s;
}

}  // namespace

Result<std::vector<int>> OtherParts(const StoreState& st) {
  std::vector<int> out;
  if (st.part != 0) out.push_back(0);
  auto shards = ListShardNumbers(st.dir);
  if (!shards.ok()) return shards.status();
  for (int n : *shards) {
    if (n != st.part && ShardComplete(ShardPath(st.dir, n))) out.push_back(n);
  }
  return out;
}

Status OpenViews(StoreState* st) {
  auto parts = OtherParts(*st);
  if (!parts.ok()) return parts.status();
  for (int n : *parts) {
    auto view = OpenView(*st, n);
    if (!view.ok()) return view.status();
    if (*view) st->views.push_back(std::move(*view));
  }
  return Status::OK();
}

Status RefreshViews(StoreState* st) {
  if (st->handles.size() == 0) {
    for (auto& v : st->retired_views) (void)ClosePart(v.get());
    st->retired_views.clear();
  }
  auto parts = OtherParts(*st);
  if (!parts.ok()) return parts.status();
  std::vector<std::unique_ptr<Part>> old = std::move(st->views);
  st->views.clear();
  auto retire = [st](std::unique_ptr<Part> v) {
    if (st->handles.size() == 0) {
      (void)ClosePart(v.get());
    } else {
      st->retired_views.push_back(std::move(v));
    }
  };
  Status result;
  size_t i = 0;
  for (int n : *parts) {
    while (i < old.size() && old[i]->number < n) retire(std::move(old[i++]));  // removed
    if (i < old.size() && old[i]->number == n) {
      std::unique_ptr<Part> v = std::move(old[i++]);
      if (!v->open_stamp.empty() && DirStamp(v->dir) == v->open_stamp) {
        st->views.push_back(std::move(v));  // unchanged: kept
        continue;
      }
      retire(std::move(v));
    }
    auto view = OpenView(*st, n);
    if (!view.ok()) {
      if (result.ok()) result = view.status();
      continue;
    }
    if (*view) st->views.push_back(std::move(*view));
  }
  while (i < old.size()) retire(std::move(old[i++]));
  return result;
}

Status CloseViews(StoreState* st) {
  Status result;
  for (auto* list : {&st->views, &st->retired_views}) {
    for (auto& v : *list) {
      Status s = ClosePart(v.get());
      if (!s.ok() && result.ok()) result = s;
    }
    list->clear();
  }
  return result;
}

}  // namespace labstore::internal
