// Varints and zigzag (lib/util/coding.h), pinned byte for byte: the record
// chunks and scope metadata are written with them.
#include "util/coding.h"

#include <cstdint>
#include <string>

#include <doctest/doctest.h>

#include "util/hash.h"

namespace labstore::internal {
namespace {

TEST_SUITE("util") {

TEST_CASE("Golden: varints and zigzag") {
  std::string s;
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300}, ~uint64_t{0}}) {
    PutVarint(&s, v);
  }
  CHECK(ToHex(s) == "00017f8001ac02ffffffffffffffffff01");
  CHECK(ZigZag(0) == 0);
  CHECK(ZigZag(-1) == 1);
  CHECK(ZigZag(1) == 2);
  CHECK(ZigZag(INT64_MIN) == ~uint64_t{0});
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX, int64_t{12345}}) {
    CHECK(UnZigZag(ZigZag(v)) == v);
  }
  const char* p = s.data();
  uint64_t v;
  for (uint64_t want : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300}, ~uint64_t{0}}) {
    REQUIRE(GetVarint(&p, s.data() + s.size(), &v));
    CHECK(v == want);
  }
  std::string truncated = "\x80";
  p = truncated.data();
  CHECK_FALSE(GetVarint(&p, truncated.data() + 1, &v));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
