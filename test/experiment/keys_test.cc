// Golden tests: these pin the on-disk encodings of doc/format.md. A change here
// is a format change and needs a new format version.
#include <doctest/doctest.h>

#include "experiment/id.h"
#include "experiment/keys.h"
#include "json/canonical.h"
#include "labstore/labstore.h"
#include "test_util.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

TEST_SUITE("experiment") {

TEST_CASE("Experiment ids are base62 of [62^5, 62^6-1] as machinable encodes them") {
  CHECK(EncodeId(kIdMin) == "100000");
  CHECK(EncodeId(kIdMax) == "zzzzzz");
  CHECK(EncodeId(62 * 62 * 62 * 62 * 62ull + 61) == "10000z");
  auto n = DecodeId("rm3SAJ");
  REQUIRE(n.ok());
  CHECK(EncodeId(*n) == "rm3SAJ");
  CHECK(*DecodeId("100000") == kIdMin);
  CHECK_FALSE(DecodeId("0zzzzz").ok());
  CHECK_FALSE(DecodeId("zzzzzzz").ok());
  CHECK_FALSE(DecodeId("zz_zzz").ok());
  for (int i = 0; i < 1000; ++i) {
    std::string id = RandomId();
    REQUIRE(id.size() == 6);
    REQUIRE(DecodeId(id).ok());
  }
}

TEST_CASE("The definition hash is pinned") {
  CHECK(ToHex(Hash128("")) == "99aa06d3014798d86001c324468d497f");
  auto canonical = CanonicalJson(R"({"verbose": true, "time_dilation": 2.0, "_raw_": {}})", "config");
  REQUIRE(canonical.ok());
  CHECK(*canonical == R"({"time_dilation":2,"verbose":true})");
  CHECK(ToHex(DefinitionHash("estimate_gravity", *canonical)) == "e3f4edff9528938743df8d967970c7af");
}

TEST_CASE("Key encodings are pinned") {
  std::string hash(16, '\x01');
  CHECK(ToHex(ExperimentKey(hash, 258)) == "0101010101010101010101010101010100000102");
  CHECK(ToHex(ByTimeKey(1, 2)) == "80000000000000010000000000000002");
  CHECK(ToHex(ByTimeKey(-1, 0)) == "7fffffffffffffff0000000000000000");
  CHECK(ByTimeKey(-5, 9) < ByTimeKey(3, 0));
  CHECK(ToHex(StatusKey(ExperimentKey(hash, 0), StatusKind::kStarted, 7)) ==
        "010101010101010101010101010101010000000073" "0000000000000007");
  CHECK(ToHex(EncodeInstant({1677250800123456, -18000})) == "40fe236273f50500b0b9ffff");
  Timestamp t;
  REQUIRE(DecodeInstant(EncodeInstant({-42, 3600}), &t));
  CHECK(t == Timestamp{-42, 3600});
  CHECK_FALSE(DecodeInstant("short", &t));
}

TEST_CASE("Canonical JSON has one spelling per config") {
  auto c = [](const char* text) {
    auto r = CanonicalJson(text, "config");
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(c(R"({"b": 1, "a": 2})") == R"({"a":2,"b":1})");
  CHECK(c(R"({"x": 2.0})") == c(R"({"x": 2})"));
  CHECK(c(R"({"x": -0.0})") == R"({"x":0})");
  CHECK(c(R"({"x": 0.1})") == R"({"x":0.1})");
  CHECK(c(R"({"x": 1e300})") == R"({"x":1e+300})");
  CHECK(c(R"({"x": 9223372036854775807})") == R"({"x":9223372036854775807})");
  CHECK(c(R"({"x": -9223372036854775808})") == R"({"x":-9223372036854775808})");
  CHECK(c(R"({"x": 18446744073709551615})") == c(R"({"x": 1.8446744073709552e19})"));
  CHECK(c(R"({"s": "µ\n\"", "Z": null, "a": [true, false]})") ==
        "{\"Z\":null,\"a\":[true,false],\"s\":\"µ\\u000a\\\"\"}");
  CHECK(c(R"({"keep": {"drop_": 1, "k": 1}, "drop_": 2})") == R"({"keep":{"k":1}})");
  CHECK(c(R"({"x": [NaN, Infinity, -Infinity]})") == R"({"x":[NaN,Infinity,-Infinity]})");
  CHECK(c(R"({"x": 1e400})") == c(R"({"x": Infinity})"));
  CHECK(c(R"({"a": 1, "a": 2})") == R"({"a":2})");
  auto minified = MinifyJson(R"({ "b" : 1 , "a" : [ 1.5 ] })", JsonKind::kObject, "config");
  REQUIRE(minified.ok());
  CHECK(*minified == R"({"b":1,"a":[1.5]})");
  auto with_nan = MinifyJson(R"({"loss": NaN, "µ": 1e-07})", JsonKind::kObject, "config");
  REQUIRE(with_nan.ok());
  CHECK(*with_nan == R"({"loss":NaN,"µ":1e-07})");
  CHECK_FALSE(MinifyJson("{} x", JsonKind::kObject, "config").ok());
  CHECK_FALSE(MinifyJson("[]", JsonKind::kObject, "config").ok());
  CHECK_FALSE(MinifyJson("{}", JsonKind::kArray, "version").ok());
  CHECK(MinifyJson("3", JsonKind::kAny, "value").ok());
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore::internal
