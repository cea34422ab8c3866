// ListStoreParts (labstore/check.h): the main database and the shards of a
// store, and which of them a writer process holds.
#include <string>
#include <vector>

#include "labstore/check.h"
#include "store/creation.h"
#include "store/lock_file.h"
#include "store/shard_dir.h"
#include "store/store_state.h"

namespace labstore {

Result<std::vector<StorePart>> ListStoreParts(const Store& store) {
  const internal::StoreState* st = internal::StateOf(store);
  if (st == nullptr || !st->db) return Status::InvalidArgument("cannot list the parts: store is closed");
  auto shards = internal::ListShardNumbers(st->dir);
  if (!shards.ok()) return shards.status();
  std::vector<int> numbers{0};
  numbers.insert(numbers.end(), shards->begin(), shards->end());
  std::vector<StorePart> out;
  for (int n : numbers) {
    StorePart p;
    p.number = n;
    p.dir = n == 0 ? st->dir : internal::ShardPath(st->dir, n);
    p.own = n == st->part;
    p.complete = n == 0 || internal::ShardComplete(p.dir);
    if (p.own && !st->read_only) {
      p.held = true;
    } else {
      internal::LockFile probe;
      Status s = probe.Acquire(p.dir + "/" + internal::kLockName, st->dir);
      p.held = s.IsBusy();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace labstore
