#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

constexpr int64_t kSecond = 1000000;
constexpr int64_t kDay = 86400 * kSecond;

TEST_SUITE("experiment") {

TEST_CASE("Status markers: starts are all kept, heartbeat replaced, finish sets both") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  auto empty = store.GetStatus(e->id);
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->IsStarted());
  CHECK_FALSE(empty->IsFinished());
  Timestamp t0{1677250800123456, -5 * 3600};
  Timestamp t1{t0.unix_micros + 5 * kSecond, -5 * 3600};
  REQUIRE(store.MarkStarted(e->id, t0).ok());
  REQUIRE(store.MarkStarted(e->id, t1).ok());
  REQUIRE(store.UpdateHeartbeat(e->id, t0).ok());
  REQUIRE(store.UpdateHeartbeat(e->id, t1).ok());
  auto st = store.GetStatus(e->id);
  REQUIRE(st.ok());
  REQUIRE(st->started_at.size() == 2);
  CHECK(st->started_at[0] == t0);
  CHECK(st->started_at[1] == t1);
  CHECK(st->heartbeat_at == t1);
  CHECK(st->IsStarted());
  CHECK_FALSE(st->IsFinished());
  Timestamp t2{t1.unix_micros + kSecond, -5 * 3600};
  REQUIRE(store.MarkFinished(e->id, t2).ok());
  st = store.GetStatus(e->id);
  REQUIRE(st.ok());
  CHECK(st->finished_at == t2);
  CHECK(st->heartbeat_at == t2);
  CHECK(st->IsFinished());
  CHECK_FALSE(st->IsActive(t2));
  CHECK_FALSE(st->IsIncomplete(t2));
}

TEST_CASE("IsActive compares whole durations, so a heartbeat a day old is not active") {
  ExperimentStatus st;
  Timestamp beat{1000 * kDay, 0};
  st.started_at.push_back(beat);
  st.heartbeat_at = beat;
  CHECK(st.IsActive({beat.unix_micros + 10 * kSecond, 0}));
  CHECK_FALSE(st.IsIncomplete({beat.unix_micros + 10 * kSecond, 0}));
  CHECK_FALSE(st.IsActive({beat.unix_micros + 31 * kSecond, 0}));
  // machinable 4.1 uses timedelta.seconds and would call this active:
  CHECK_FALSE(st.IsActive({beat.unix_micros + kDay + 5 * kSecond, 0}));
  CHECK(st.IsIncomplete({beat.unix_micros + kDay + 5 * kSecond, 0}));
  CHECK(st.IsActive({beat.unix_micros + 100 * kSecond, 0}, 120));
  ExperimentStatus never;
  CHECK_FALSE(never.IsIncomplete({0, 0}));
}

TEST_CASE("Markers and output on unknown or malformed ids are NotFound or InvalidArgument") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  CHECK(Code(store.MarkStarted("zzzzzz")) == "NotFound");
  CHECK(Code(store.UpdateHeartbeat("zzzzzz")) == "NotFound");
  CHECK(Code(store.MarkFinished("zzzzzz")) == "NotFound");
  CHECK(Code(store.GetStatus("zzzzzz")) == "NotFound");
  CHECK(Code(store.AppendOutput("zzzzzz", "x")) == "NotFound");
  CHECK(Code(store.ReadOutput("zzzzzz")) == "NotFound");
  CHECK(Code(store.MarkStarted("bad id")) == "InvalidArgument");
  CHECK(Code(store.GetStatus("")) == "InvalidArgument");
}

TEST_CASE("The output log appends and reads back in order") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  auto empty = store.ReadOutput(e->id);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  REQUIRE(store.AppendOutput(e->id, "line 1\n").ok());
  REQUIRE(store.AppendOutput(e->id, "").ok());
  REQUIRE(store.AppendOutput(e->id, "line 2\n").ok());
  auto out = store.ReadOutput(e->id);
  REQUIRE(out.ok());
  CHECK(*out == "line 1\nline 2\n");
}

TEST_CASE("FormatIso writes Python's isoformat and ParseIso reads it back") {
  CHECK(FormatIso({1677250804567900, -5 * 3600}) == "2023-02-24T10:00:04.567900-05:00");
  CHECK(FormatIso({1677250800000000, -5 * 3600}) == "2023-02-24T10:00:00-05:00");
  CHECK(FormatIso({0, 0}) == "1970-01-01T00:00:00+00:00");
  CHECK(FormatIso({-1, 0}) == "1969-12-31T23:59:59.999999+00:00");
  CHECK(FormatIso({0, 5 * 3600 + 30 * 60}) == "1970-01-01T05:30:00+05:30");
  auto p = ParseIso("2023-02-24T10:00:04.567900-05:00");
  REQUIRE(p.ok());
  CHECK(*p == Timestamp{1677250804567900, -5 * 3600});
  auto z = ParseIso("2023-02-24T15:00:04Z");
  REQUIRE(z.ok());
  CHECK(z->unix_micros == 1677250804000000);
  CHECK(Code(ParseIso("yesterday")) == "InvalidArgument");
  CHECK(Code(ParseIso("2023-02-24T10:00:04")) == "InvalidArgument");
  CHECK(Code(ParseIso("2023-13-24T10:00:04+00:00")) == "InvalidArgument");
  Timestamp now = Now();
  auto round = ParseIso(FormatIso(now));
  REQUIRE(round.ok());
  CHECK(*round == now);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
