// ThreadSpare (lib/util/thread_spare.h): one spare per thread, reused.
#include "util/thread_spare.h"

#include <string>
#include <thread>

#include <doctest/doctest.h>

namespace labstore::internal {
namespace {

struct Scratch {
  std::string bytes;
};
size_t Footprint(const Scratch& s) { return s.bytes.capacity(); }

TEST_SUITE("util") {

TEST_CASE("ThreadSpare gives a thread back the object it returned, capacity kept") {
  const Scratch* first;
  {
    ThreadSpare<Scratch> s;
    s->bytes.assign(100000, 'x');
    first = &*s;
  }
  ThreadSpare<Scratch> again;
  CHECK(&*again == first);
  CHECK(again->bytes.capacity() >= 100000);
}

TEST_CASE("ThreadSpare gives a nested borrower and another thread objects of their own") {
  ThreadSpare<Scratch> outer;
  ThreadSpare<Scratch> inner;
  CHECK(&*outer != &*inner);
  const Scratch* other = nullptr;
  std::thread([&] {
    ThreadSpare<Scratch> s;
    other = &*s;
    CHECK(s->bytes.empty());
  }).join();
  CHECK(other != &*outer);
}

TEST_CASE("ThreadSpare drops an object that grew past kMaxKeptBytes") {
  {
    ThreadSpare<Scratch> big;
    big->bytes.assign(ThreadSpare<Scratch>::kMaxKeptBytes + 1, 'x');
  }
  ThreadSpare<Scratch> next;
  CHECK(next->bytes.capacity() <= ThreadSpare<Scratch>::kMaxKeptBytes);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
