// TextBuffer (lib/util/text_buffer.h): pointer writes, growth, reuse.
#include "util/text_buffer.h"

#include <charconv>
#include <string>

#include <doctest/doctest.h>

namespace labstore::internal {
namespace {

TEST_SUITE("util") {

TEST_CASE("TextBuffer keeps what was written through Room up to Advance") {
  TextBuffer buf;
  char* p = buf.Room(20);
  buf.Advance(std::to_chars(p, p + 20, 12345).ptr);
  buf.Push(',');
  buf.Append("abc");
  CHECK(buf.view() == "12345,abc");
  CHECK(buf.size() == 9);
}

TEST_CASE("TextBuffer keeps its text when it grows past its capacity") {
  TextBuffer buf;
  std::string expected;
  for (int i = 0; i < 100000; ++i) {
    std::string piece = std::to_string(i) + "\n";
    buf.Append(piece);
    expected += piece;
  }
  CHECK(buf.view() == expected);
  char* p = buf.Room(1 << 20);  // a large room at once
  p[0] = 'x';
  buf.Advance(p + 1);
  CHECK(buf.view().substr(expected.size()) == "x");
}

TEST_CASE("TextBuffer starts empty again after Clear") {
  TextBuffer buf;
  buf.Append("first");
  buf.Clear();
  CHECK(buf.view().empty());
  buf.Append("second");
  CHECK(buf.view() == "second");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
