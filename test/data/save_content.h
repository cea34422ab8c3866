// The files of the SaveData crash suite (save_child.cc, crash_test.cc): a
// version number determines a file's path, length and bytes.
#ifndef LABSTORE_TEST_DATA_SAVE_CONTENT_H_
#define LABSTORE_TEST_DATA_SAVE_CONTENT_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace labstore::test {

inline std::string SavePath(uint64_t version) { return "data/f" + std::to_string(version % 5) + ".bin"; }

// "v<version>\n" followed by pseudo-random bytes, 1..8 MiB in all.
inline std::string SaveContent(uint64_t version, uint64_t seed) {
  uint64_t x = (version + 1) * 0x9E3779B97F4A7C15ull ^ seed;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const size_t size = (1u << 20) + next() % (7u << 20);
  std::string out = "v" + std::to_string(version) + "\n";
  const size_t header = out.size();
  out.resize(size);
  for (size_t at = header; at < size; at += 8) {
    uint64_t r = next();
    std::memcpy(out.data() + at, &r, std::min<size_t>(8, size - at));
  }
  return out;
}

}  // namespace labstore::test

#endif  // LABSTORE_TEST_DATA_SAVE_CONTENT_H_
