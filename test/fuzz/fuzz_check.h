// What the fuzz targets share: a check that stops the run with a message
// (libFuzzer then saves the input as a crash artifact).
#ifndef LABSTORE_TEST_FUZZ_FUZZ_CHECK_H_
#define LABSTORE_TEST_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace labstore::fuzz {

// Aborts with `what` (and `detail`) when `ok` is false.
inline void Check(bool ok, const char* what, std::string_view detail = {}) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace labstore::fuzz

#endif  // LABSTORE_TEST_FUZZ_FUZZ_CHECK_H_
