#include "store/shard_dir.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "store/creation.h"

namespace labstore::internal {

std::string ShardPath(const std::string& store_dir, int number) {
  return fmt::format("{}/{}/{}", store_dir, kShardsDirName, number);
}

int ParseShardNumber(const std::string& name) {
  if (name.empty() || name.size() > 4 || name[0] == '0') return 0;
  int n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n <= kMaxShards ? n : 0;
}

Result<std::vector<int>> ListShardNumbers(const std::string& store_dir) {
  std::vector<int> numbers;
  std::error_code ec;
  std::string shards = store_dir + "/" + kShardsDirName;
  std::filesystem::directory_iterator it(shards, ec);
  if (ec == std::errc::no_such_file_or_directory) return numbers;
  if (ec) return Status::IOError(fmt::format("cannot list the shards in {}", shards), ec.message());
  for (const auto& entry : it) {
    int n = ParseShardNumber(entry.path().filename().string());
    if (n > 0) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

namespace {

// Takes the lock of shard `number`: OK, Busy (another process holds it) or IOError.
Status TryLock(const std::string& store_dir, int number, ShardClaim* claim) {
  claim->number = number;
  claim->path = ShardPath(store_dir, number);
  return claim->lock.Acquire(claim->path + "/" + kLockName, claim->path);
}

}  // namespace

Result<ShardClaim> ClaimShard(const std::string& store_dir) {
  std::string shards = store_dir + "/" + kShardsDirName;
  if (::mkdir(shards.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::IOError(fmt::format("cannot create {}", shards), std::strerror(errno));
  }
  auto present = ListShardNumbers(store_dir);
  if (!present.ok()) return present.status();
  ShardClaim claim;
  for (int n : *present) {  // take over a shard whose writer is gone
    Status s = TryLock(store_dir, n, &claim);
    if (s.ok()) return claim;
    if (!s.IsBusy()) return s;
  }
  // Every present shard is held: make a new one. mkdir decides between
  // processes racing for a number; a process that loses tries the next.
  for (int n = 1; n <= kMaxShards; ++n) {
    if (std::binary_search(present->begin(), present->end(), n)) continue;
    std::string path = ShardPath(store_dir, n);
    if (::mkdir(path.c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      return Status::IOError(fmt::format("cannot create {}", path), std::strerror(errno));
    }
    Status s = TryLock(store_dir, n, &claim);
    if (s.ok()) {
      claim.created = true;
      return claim;
    }
    // Between our mkdir and our lock another process took the new shard
    // over as a free one; it is theirs now.
    if (!s.IsBusy()) return s;
  }
  return Status::Busy(fmt::format("store {} has {} shards and every one is held by a writer", store_dir, kMaxShards),
                      "close some writer processes, then open again");
}

}  // namespace labstore::internal
