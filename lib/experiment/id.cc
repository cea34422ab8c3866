#include "experiment/id.h"

#include <fmt/format.h>

#include "util/random.h"

namespace labstore::internal {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c >= 'a' && c <= 'z') return c - 'a' + 36;
  return -1;
}

}  // namespace

std::string EncodeId(uint64_t n) {
  std::string out;
  do {
    out.insert(out.begin(), kAlphabet[n % 62]);
    n /= 62;
  } while (n > 0);
  return out;
}

Result<uint64_t> DecodeId(std::string_view id) {
  auto bad = [&](std::string_view rule) {
    return Status::InvalidArgument(fmt::format("invalid experiment id \"{}\"", id), rule);
  };
  if (id.size() != 6) return bad("an id is 6 base62 characters (0-9, A-Z, a-z)");
  uint64_t n = 0;
  for (char c : id) {
    int d = DigitValue(c);
    if (d < 0) return bad("an id is 6 base62 characters (0-9, A-Z, a-z)");
    n = n * 62 + static_cast<uint64_t>(d);
  }
  if (n < kIdMin) return bad("an id may not start with '0'");
  return n;
}

std::string RandomId() { return EncodeId(RandomBetween(kIdMin, kIdMax)); }

}  // namespace labstore::internal
