// SaveData under kill -9: a child process saves and overwrites large files
// (test/data/save_child.cc) and is SIGKILLed at a random moment; after each
// kill the store opens, CheckStore finds no damage, every file the child
// reported saved is there whole (its last saved version or a newer one that
// was being saved), no file is a mix of versions, and GarbageCollect removes
// the crashed upload without touching a stored file.
// 15 trials by default; LABSTORE_LONG=1 runs 1000, LABSTORE_CRASH_TRIALS=N runs N.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "data_test_util.h"
#include "save_content.h"

namespace labstore {
namespace {

// path -> last version the child reported saved, from all trials so far.
std::map<std::string, uint64_t> Acknowledged(const std::string& side) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(test::ReadFile(side));
  std::string path;
  uint64_t version;
  while (in >> path >> version) out[path] = version;
  return out;
}

// The version a stored file holds (from its "v<N>\n" header) if its bytes are
// exactly SaveContent(N); otherwise an error message.
std::string CheckVersion(const std::string& bytes, uint64_t seed, uint64_t* version) {
  size_t nl = bytes.find('\n');
  if (bytes.empty() || bytes[0] != 'v' || nl == std::string::npos || nl > 24) return "no version header";
  *version = std::strtoull(bytes.substr(1, nl - 1).c_str(), nullptr, 10);
  const std::string expected = test::SaveContent(*version, seed);
  if (bytes.size() != expected.size()) {
    return "version " + std::to_string(*version) + " has " + std::to_string(bytes.size()) + " bytes, not " +
           std::to_string(expected.size());
  }
  if (bytes != expected) return "version " + std::to_string(*version) + " has other bytes than saved";
  return "";
}

// Every stored file is one whole version, on its path, not older than acknowledged.
void CheckFiles(Store& store, const std::string& id, const std::map<std::string, uint64_t>& acked, uint64_t seed) {
  auto files = ListFiles(store, id);
  REQUIRE_MESSAGE(files.ok(), files.status().ToString());
  std::map<std::string, bool> seen;
  for (const FileInfo& f : *files) {
    CAPTURE(f.path);
    auto bytes = LoadFile(store, id, f.path);
    REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
    CHECK(bytes->size() == f.size);
    uint64_t version = 0;
    const std::string problem = CheckVersion(*bytes, seed, &version);
    CHECK_MESSAGE(problem.empty(), problem);
    CHECK(test::SavePath(version) == f.path);
    if (auto it = acked.find(f.path); it != acked.end()) CHECK(version >= it->second);
    seen[f.path] = true;
  }
  for (const auto& [path, version] : acked)
    CHECK_MESSAGE(seen.count(path), path << " (version " << version << ") is lost");
}

TEST_SUITE("data") {

TEST_CASE("kill -9 during SaveData of large files loses no saved file and never leaves half a file" *
          doctest::test_suite("slow")) {
  const int trials = test::CrashTrials(15);
  MESSAGE("SaveData crash trials: " << trials);
  const uint64_t seed = test::CrashSeed();
  std::mt19937_64 rng(seed);
  data_test::TempDir tmp;
  const std::string dir = tmp.Sub("s"), side = tmp.Sub("saved.txt");
  std::string id;
  {
    Store store = data_test::OpenStore(dir);
    id = data_test::NewExperiment(store);
    REQUIRE(store.Close().ok());
  }
  const std::string seed_arg = std::to_string(seed);
  uint64_t uploads_removed = 0;
  for (int t = 0; t < trials; ++t) {
    CAPTURE(t);
    const std::string first = std::to_string(static_cast<uint64_t>(t) * 1000000);
    // The kill comes 20-320 ms after the start; on a loaded machine the child
    // may not have saved a file by then, so the last trial, if none was saved
    // yet, gives it 5 s (the suite must check some acknowledged files).
    auto kill_after = std::chrono::milliseconds(20 + rng() % 300);
    if (t == trials - 1 && Acknowledged(side).empty()) kill_after = std::chrono::milliseconds(5000);
    const int status = test::RunChild({LABSTORE_SAVE_CHILD, dir, id, side, seed_arg, first}, kill_after);
    REQUIRE_MESSAGE(WIFSIGNALED(status), "save_child exited with status " << WEXITSTATUS(status));
    const auto acked = Acknowledged(side);

    auto store = Store::Open({.create_if_missing = false}, dir);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    auto check = CheckStore(*store);
    REQUIRE_MESSAGE(check.ok(), check.status().ToString());
    for (const Damage& d : check->damage) FAIL_CHECK(d.ToString());
    CheckFiles(*store, id, acked, seed);
    auto gc = GarbageCollect(*store);
    REQUIRE_MESSAGE(gc.ok(), gc.status().ToString());
    CHECK(gc->references_fixed == 0);
    uploads_removed += gc->uploads_removed;
    CheckFiles(*store, id, acked, seed);
    REQUIRE(store->Close().ok());
  }
  MESSAGE("files saved: " << Acknowledged(side).size() << " paths; crashed uploads removed: " << uploads_removed);
  CHECK(!Acknowledged(side).empty());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
