// The shards of a store directory (doc/many-writers.md, "Parts"): a writer
// process that finds the main database taken writes a shard of its own.
//
// store dir := ... shards/<n>/             n = 1 .. kMaxShards, decimal, no leading zeros
//              shards/<n>/writer.lock       flock'ed by the process writing shard n
//              shards/<n>/<shard files>     see the store's layout (a database of its own)
//
// A shard's number is claimed by taking its lock. The lowest number whose lock
// is free is taken first: a shard whose writer died (the kernel released its
// lock) is taken over with what it holds. A new number is claimed with mkdir,
// which exactly one process wins.
#ifndef LABSTORE_LIB_STORE_SHARD_DIR_H_
#define LABSTORE_LIB_STORE_SHARD_DIR_H_

#include <string>
#include <vector>

#include "labstore/status.h"
#include "store/lock_file.h"

namespace labstore::internal {

inline constexpr const char* kShardsDirName = "shards";
// Shard numbers go into sequence numbers and ordinals (12 bits, 0 = main).
inline constexpr int kMaxShards = 4095;

struct ShardClaim {
  int number = 0;
  std::string path;  // <store dir>/shards/<number>
  LockFile lock;     // held: the shard is this process's until released
  bool created = false;  // the directory was made by this claim (no earlier writer)
};

// <store_dir>/shards/<number>.
std::string ShardPath(const std::string& store_dir, int number);

// Claims the lowest-numbered shard that no process holds, creating the lowest
// unused number when every present shard is held.
// Errors: Busy (all kMaxShards numbers are held); IOError.
Result<ShardClaim> ClaimShard(const std::string& store_dir);

// The numbers of the shard directories present, ascending; none when there is
// no shards/ folder. Names that are not shard numbers are ignored.
// Errors: IOError.
Result<std::vector<int>> ListShardNumbers(const std::string& store_dir);

// Parses a shard directory name: 1 .. kMaxShards in decimal without leading
// zeros; 0 for anything else.
int ParseShardNumber(const std::string& name);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_SHARD_DIR_H_
