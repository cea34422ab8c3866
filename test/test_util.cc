#include "test_util.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

extern char** environ;

namespace labstore::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/labstore-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  REQUIRE(made != nullptr);
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Store OpenStore(const std::string& dir) {
  auto store = Store::Open({}, dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  output->clear();
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunChild(const std::vector<std::string>& argv, std::chrono::microseconds kill_after) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  REQUIRE(posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) == 0);
  if (kill_after.count() > 0) {
    std::this_thread::sleep_for(kill_after);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

bool LongMode() {
  const char* env = std::getenv("LABSTORE_LONG");
  return env != nullptr && std::string(env) == "1";
}

int CrashTrials(int short_default) {
  const char* env = std::getenv("LABSTORE_CRASH_TRIALS");
  if (env != nullptr && std::atoi(env) > 0) return std::atoi(env);
  return LongMode() ? std::max(1000, short_default) : short_default;
}

uint64_t CrashSeed() {
  const char* env = std::getenv("LABSTORE_CRASH_SEED");
  uint64_t seed = env != nullptr && *env
                      ? std::strtoull(env, nullptr, 10)
                      : (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
  MESSAGE("seed: " << seed << " (LABSTORE_CRASH_SEED=" << seed << " repeats it)");
  return seed;
}

}  // namespace labstore::test
