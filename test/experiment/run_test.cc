// Run: started, heartbeat from a thread, finished; and what is left when it is not finished.
#include <chrono>
#include <functional>
#include <thread>

#include <doctest/doctest.h>

#include "experiment/run_testing.h"
#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

constexpr int64_t kSecond = 1000000;

ExperimentStatus StatusOf(Store& store, const std::string& id) {
  auto st = store.GetStatus(id);
  REQUIRE(st.ok());
  return *st;
}

// Waits (up to 20 s) until `done` is true; returns whether it became true.
template <typename F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

double SecondsOf(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST_SUITE("experiment") {

TEST_CASE("Run marks started, advances the heartbeat at its interval, and Finish marks finished") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  auto run = Run::Start(store, e->id, {.heartbeat_interval_ms = 20});
  REQUIRE(run.ok());
  CHECK(run->experiment_id() == e->id);
  ExperimentStatus first = StatusOf(store, e->id);
  CHECK(first.started_at.size() == 1);
  REQUIRE(first.heartbeat_at.has_value());
  CHECK(first.IsActive(Now(), kRunningWindowSeconds));
  CHECK_FALSE(first.IsFinished());

  REQUIRE(WaitFor([&] { return run->heartbeats() >= 3; }));
  ExperimentStatus later = StatusOf(store, e->id);
  REQUIRE(later.heartbeat_at.has_value());
  CHECK(later.heartbeat_at->unix_micros > first.heartbeat_at->unix_micros);
  CHECK(later.started_at.size() == 1);

  CHECK(Code(run->Finish()) == "OK");
  ExperimentStatus done = StatusOf(store, e->id);
  CHECK(done.IsFinished());
  CHECK(done.heartbeat_at == done.finished_at);
  CHECK_FALSE(done.IsActive(Now(), kRunningWindowSeconds));
  CHECK_FALSE(done.IsIncomplete(Now(), kRunningWindowSeconds));
  CHECK(Code(run->Finish()) == "InvalidArgument");  // already ended
}

TEST_CASE("Finish and destruction stop the heartbeat thread promptly, without waiting out the interval") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m"});
  auto b = store.Create({.module = "m"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto run = Run::Start(store, a->id, {.heartbeat_interval_ms = 3600000});
  REQUIRE(run.ok());
  CHECK(SecondsOf([&] { CHECK(Code(run->Finish()) == "OK"); }) < 2.0);
  double destroy = SecondsOf([&] {
    auto other = Run::Start(store, b->id, {.heartbeat_interval_ms = 3600000});
    REQUIRE(other.ok());
  });
  CHECK(destroy < 2.0);
}

TEST_CASE("A Run destroyed without Finish leaves the experiment started, not finished, incomplete after the window") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  {
    auto run = Run::Start(store, e->id, {.heartbeat_interval_ms = 10});
    REQUIRE(run.ok());
    REQUIRE(WaitFor([&] { return run->heartbeats() >= 2; }));
  }  // as if the simulation threw
  ExperimentStatus st = StatusOf(store, e->id);
  CHECK(st.IsStarted());
  CHECK_FALSE(st.IsFinished());
  REQUIRE(st.heartbeat_at.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(StatusOf(store, e->id).heartbeat_at == st.heartbeat_at);  // no more heartbeats
  Timestamp beat = *st.heartbeat_at;
  CHECK(st.IsActive({beat.unix_micros + 40 * kSecond, 0}, kRunningWindowSeconds));
  CHECK(st.IsIncomplete({beat.unix_micros + 46 * kSecond, 0}, kRunningWindowSeconds));

  // It can be run again: a second start is appended.
  auto again = Run::Start(store, e->id, {.heartbeat_interval_ms = 10});
  REQUIRE(again.ok());
  CHECK(Code(again->Finish()) == "OK");
  CHECK(StatusOf(store, e->id).started_at.size() == 2);
}

TEST_CASE("Run::Start refuses bad ids, unknown experiments, bad options, finished experiments and a second live Run") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  CHECK(Code(Run::Start(store, "bad id")) == "InvalidArgument");
  CHECK(Code(Run::Start(store, "zzzzzz")) == "NotFound");
  auto zero = Run::Start(store, e->id, {.heartbeat_interval_ms = 0});
  CHECK(Code(zero) == "InvalidArgument");
  CHECK(zero.status().message().find("heartbeat_interval_ms") != std::string::npos);
  CHECK(Code(Run::Start(store, e->id, {.heartbeat_interval_ms = 3600001})) == "InvalidArgument");
  CHECK_FALSE(StatusOf(store, e->id).IsStarted());  // nothing was written

  auto run = Run::Start(store, e->id);
  REQUIRE(run.ok());
  auto second = Run::Start(store, e->id);
  CHECK(Code(second) == "Busy");
  CHECK(StatusOf(store, e->id).started_at.size() == 1);

  // Moving keeps the one live Run; move-assigning over a Run ends that one.
  Run moved = std::move(*run);
  auto f = store.Create({.module = "m"});
  REQUIRE(f.ok());
  auto other = Run::Start(store, f->id);
  REQUIRE(other.ok());
  moved = std::move(*other);  // the Run of e ends (not finished)
  CHECK(moved.experiment_id() == f->id);
  CHECK(Code(moved.Finish()) == "OK");
  CHECK_FALSE(StatusOf(store, e->id).IsFinished());

  auto finished = Run::Start(store, f->id);
  CHECK(Code(finished) == "InvalidArgument");
  CHECK(finished.status().message().find("already finished") != std::string::npos);
}

TEST_CASE("Run::Start on a read-only store is InvalidArgument and writes nothing") {
  TempDir tmp;
  std::string id;
  {
    Store store = test::OpenStore(tmp.Sub("s"));
    auto e = store.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
  }
  auto ro = Store::Open({.read_only = true}, tmp.Sub("s"));
  REQUIRE(ro.ok());
  auto run = Run::Start(*ro, id);
  CHECK(Code(run) == "InvalidArgument");
  CHECK(run.status().message().find("read-only") != std::string::npos);
  CHECK_FALSE(StatusOf(*ro, id).IsStarted());
}

TEST_CASE("Finish after the Store was closed is InvalidArgument, and the experiment stays unfinished") {
  TempDir tmp;
  std::string id;
  {
    Store store = test::OpenStore(tmp.Sub("s"));
    auto e = store.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
    auto run = Run::Start(store, id, {.heartbeat_interval_ms = 3600000});
    REQUIRE(run.ok());
    REQUIRE(store.Close().ok());
    Status s = run->Finish();
    CHECK(Code(s) == "InvalidArgument");
    CHECK(s.message().find("was closed by Store::Close") != std::string::npos);
  }
  Store store = test::OpenStore(tmp.Sub("s"));
  ExperimentStatus st = StatusOf(store, id);
  CHECK(st.IsStarted());
  CHECK_FALSE(st.IsFinished());
}

TEST_CASE("Store::Close stops a live Run's heartbeat thread before the database closes") {
  TempDir tmp;
  std::string id;
  {
    Store store = test::OpenStore(tmp.Sub("s"));
    auto e = store.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
    auto run = Run::Start(store, id, {.heartbeat_interval_ms = 1});  // beating all the time
    REQUIRE(run.ok());
    REQUIRE(WaitFor([&] { return run->heartbeats() > 3; }));
    REQUIRE(store.Close().ok());
    uint64_t beats = run->heartbeats();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(run->heartbeats() == beats);  // the thread has stopped
    CHECK(Code(run->heartbeat_status()) == "OK");
    CHECK(Code(run->Finish()) == "InvalidArgument");
  }  // the Run is destroyed after its store: nothing to do, no crash
  Store store = test::OpenStore(tmp.Sub("s"));
  CHECK_FALSE(StatusOf(store, id).IsFinished());
  // Destroying the Store without Close (here the Store it was moved into,
  // destroyed before the Run) ends the Run the same way.
  {
    Store s2 = test::OpenStore(tmp.Sub("t"));
    auto e = s2.Create({.module = "m"});
    REQUIRE(e.ok());
    auto run = Run::Start(s2, e->id, {.heartbeat_interval_ms = 1});
    REQUIRE(run.ok());
    Store moved = std::move(s2);
  }  // destroyed in reverse order: `moved` (ends the Run), then `run`
}

TEST_CASE("A failed heartbeat is kept and reported by Finish, which still marks the experiment finished") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  auto run = Run::Start(store, e->id, {.heartbeat_interval_ms = 10});
  REQUIRE(run.ok());
  CHECK(Code(run->heartbeat_status()) == "OK");
  internal::InjectHeartbeatFailure(e->id, Status::IOError("disk full", "injected"));
  REQUIRE(WaitFor([&] { return !run->heartbeat_status().ok(); }));
  internal::InjectHeartbeatFailure(e->id, Status::OK());
  CHECK(Code(run->heartbeat_status()) == "IOError");
  Status s = run->Finish();
  CHECK(Code(s) == "IOError");
  CHECK(s.message().find("disk full") != std::string::npos);
  CHECK(s.message().find("marked finished") != std::string::npos);
  CHECK(StatusOf(store, e->id).IsFinished());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
