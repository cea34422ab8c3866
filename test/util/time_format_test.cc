// IsoFormatter (lib/util/time_format.h) against gmtime_r + fmt, the way
// FormatIso was written before it: the same bytes for any instant and offset.
#include "util/time_format.h"

#include <time.h>

#include <cstdint>
#include <random>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "labstore/time.h"

namespace labstore::internal {
namespace {

// Python's datetime.isoformat() spelled with the C library's calendar.
std::string Reference(Timestamp t) {
  int64_t local = t.unix_micros + int64_t{t.utc_offset_seconds} * 1000000;
  int64_t secs = local / 1000000 - (local % 1000000 < 0 ? 1 : 0);
  int64_t micros = local - secs * 1000000;
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&tt, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int64_t{tm.tm_year} + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (micros != 0) out += fmt::format(".{:06}", micros);
  int64_t off = t.utc_offset_seconds;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  out += fmt::format("{}{:02}:{:02}", sign, off / 3600, (off / 60) % 60);
  if (off % 60 != 0) out += fmt::format(":{:02}", off % 60);
  return out;
}

std::string Format(IsoFormatter& iso, Timestamp t) {
  std::string out;
  iso.Append(&out, t);
  return out;
}

TEST_SUITE("util") {

TEST_CASE("FormatIso writes the local time with its offset as Python's isoformat") {
  CHECK(FormatIso({1677250804567900, -5 * 3600}) == "2023-02-24T10:00:04.567900-05:00");
  CHECK(FormatIso({1677250804000000, 0}) == "2023-02-24T15:00:04+00:00");
  CHECK(FormatIso({0, 0}) == "1970-01-01T00:00:00+00:00");
  CHECK(FormatIso({-1, 0}) == "1969-12-31T23:59:59.999999+00:00");
  CHECK(FormatIso({0, 5 * 3600 + 30 * 60 + 15}) == "1970-01-01T05:30:15+05:30:15");
  CHECK(FormatIso({951782400000000, 0}) == "2000-02-29T00:00:00+00:00");
}

TEST_CASE("IsoFormatter writes the same bytes as gmtime_r for random instants and offsets") {
  std::mt19937_64 rng(20240611);
  // Years 1 to 9999, and offsets of whole minutes and of odd seconds.
  std::uniform_int_distribution<int64_t> instant(-62135596800000000, 253402300799999999 - 86400000000);
  std::uniform_int_distribution<int32_t> offset(-86399, 86399);
  IsoFormatter iso;
  int mismatches = 0;
  for (int i = 0; i < 200000; ++i) {
    Timestamp t{instant(rng), i % 3 == 0 ? offset(rng) : (i % 3 == 1 ? 0 : offset(rng) / 60 * 60)};
    if (i % 5 == 0) t.unix_micros -= t.unix_micros % 1000000;  // no fraction
    if (Format(iso, t) != Reference(t)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("IsoFormatter reuses its cache only for the same second and offset") {
  IsoFormatter iso;
  const int64_t base = 1677250804000000;
  for (int64_t step : {int64_t{1}, int64_t{999999}, int64_t{1000000}, int64_t{86400000000}}) {
    for (int i = 0; i < 50; ++i) {
      Timestamp t{base + step * i, i % 7 == 0 ? 3600 : -18000};
      CHECK(Format(iso, t) == Reference(t));
    }
  }
}

TEST_CASE("IsoFormatter spells years outside 0001-9999 as fmt pads them") {
  IsoFormatter iso;
  for (int64_t secs : {int64_t{-62167219200}, int64_t{-62198755200}, int64_t{-65000000000}, int64_t{253402300800},
                       int64_t{9000000000000}}) {
    Timestamp t{secs * 1000000 + 5, 0};
    CHECK(Format(iso, t) == Reference(t));
  }
  CHECK(Format(iso, {-62167219200000000, 0}) == "0000-01-01T00:00:00+00:00");
  CHECK(Format(iso, {-62198755200000000, 0}) == "-001-01-01T00:00:00+00:00");
}

TEST_CASE("IsoFormatter writes an offset of any size within kMaxSize bytes") {
  IsoFormatter iso;
  Timestamp t{-9000000000000 * 1000000 + 123456, INT32_MIN};
  std::string s = Format(iso, t);
  CHECK(s.size() <= IsoFormatter::kMaxSize);
  CHECK(s == Reference(t));
  CHECK(Format(iso, {0, INT32_MAX}) == Reference({0, INT32_MAX}));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
