// Helpers shared by the tests: temporary directories and one-line checks.
#ifndef LABSTORE_TEST_TEST_UTIL_H_
#define LABSTORE_TEST_TEST_UTIL_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "labstore/labstore.h"

namespace labstore::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens (creating) a writable store in `dir`; fails the test on error.
Store OpenStore(const std::string& dir);

// The status code name of a Status or Result ("OK", "NotFound", ...).
inline std::string Code(const Status& s) { return Status::CodeName(s.code()); }
template <typename T>
std::string Code(const Result<T>& r) {
  return r.ok() ? "OK" : Status::CodeName(r.status().code());
}

// Writes `content` to `path`, replacing it.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// Runs `command` with /bin/sh; returns its exit status and fills `output`
// with stdout+stderr.
int RunCommand(const std::string& command, std::string* output);

// How many kill -9 trials a crash suite runs: LABSTORE_CRASH_TRIALS if set
// (> 0), else 1000 (or `short_default`, if larger) when LABSTORE_LONG=1, else
// `short_default` (tens, so that the normal run stays short).
int CrashTrials(int short_default);

// Starts program argv[0] with `argv`; with a positive `kill_after`, sends it
// SIGKILL after that long. Waits for it and returns its wait status.
int RunChild(const std::vector<std::string>& argv, std::chrono::microseconds kill_after = {});

// True when LABSTORE_LONG=1: long crash and concurrency runs.
bool LongMode();

// The seed of a randomized suite: LABSTORE_CRASH_SEED if set, else a fresh
// random one. Either way it is printed so that a failure can be repeated.
uint64_t CrashSeed();

}  // namespace labstore::test

#endif  // LABSTORE_TEST_TEST_UTIL_H_
