// Claiming shards: lowest free number first, take-over of a released shard,
// and exactly one winner per number when processes race.
#include "store/shard_dir.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "test_util.h"

namespace labstore::internal {
namespace {

TEST_SUITE("store") {

TEST_CASE("shard numbers: 1 to 4095 in decimal without leading zeros") {
  CHECK(ParseShardNumber("1") == 1);
  CHECK(ParseShardNumber("4095") == 4095);
  CHECK(ParseShardNumber("4096") == 0);
  CHECK(ParseShardNumber("0") == 0);
  CHECK(ParseShardNumber("07") == 0);
  CHECK(ParseShardNumber("") == 0);
  CHECK(ParseShardNumber("12a") == 0);
  CHECK(ParseShardNumber(".merged-3") == 0);
}

TEST_CASE("ClaimShard takes the lowest free number and takes a released shard over") {
  test::TempDir dir;
  CHECK(ListShardNumbers(dir.path())->empty());  // no shards/ yet
  auto a = ClaimShard(dir.path());
  REQUIRE(a.ok());
  CHECK(a->number == 1);
  CHECK(a->created);
  CHECK(a->path == dir.path() + "/shards/1");
  CHECK(std::filesystem::is_directory(a->path));
  auto b = ClaimShard(dir.path());  // 1 is held (by another open file description)
  REQUIRE(b.ok());
  CHECK(b->number == 2);
  std::filesystem::create_directories(dir.Sub("shards/.merged-9"));  // not a shard: ignored
  test::WriteFile(dir.Sub("shards/1/data"), "kept");
  a->lock.Release();  // as when its writer dies
  auto c = ClaimShard(dir.path());
  REQUIRE(c.ok());
  CHECK(c->number == 1);
  CHECK_FALSE(c->created);
  CHECK(test::ReadFile(dir.Sub("shards/1/data")) == "kept");
  CHECK(*ListShardNumbers(dir.path()) == std::vector<int>{1, 2});
}

TEST_CASE("ClaimShard names the store when it cannot create shards/") {
  test::TempDir dir;
  test::WriteFile(dir.Sub("shards"), "a file where the folder belongs");
  auto claim = ClaimShard(dir.path());
  CHECK(test::Code(claim) == "IOError");
  CHECK(claim.status().message().find(dir.Sub("shards")) != std::string::npos);
}

TEST_CASE("ClaimShard: processes racing get distinct shards") {
  test::TempDir dir;
  constexpr int kChildren = 8;
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; ++i) {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(pipe_fds[0]);
      auto claim = ClaimShard(dir.path());
      unsigned char number = claim.ok() ? static_cast<unsigned char>(claim->number) : 0;
      if (::write(pipe_fds[1], &number, 1) != 1) ::_exit(2);
      ::sleep(1);  // hold the claim while the others race
      ::_exit(claim.ok() ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(pipe_fds[1]);
  std::set<int> numbers;
  unsigned char number = 0;
  while (::read(pipe_fds[0], &number, 1) == 1) numbers.insert(number);
  ::close(pipe_fds[0]);
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(numbers.size() == kChildren);
  CHECK(*numbers.begin() == 1);
  CHECK(*numbers.rbegin() == kChildren);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
