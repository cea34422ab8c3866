#include "util/random.h"

#include <array>
#include <random>

namespace labstore::internal {
namespace {

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

// Word lists written for labstore (machinable draws from its own lists).
constexpr std::array<const char*, 16> kColours = {"amber", "azure", "coral", "cyan",  "ebony", "ivory",
                                                  "jade",  "khaki", "lilac", "ochre", "olive", "pearl",
                                                  "plum",  "rust",  "sand",  "teal"};
constexpr std::array<const char*, 16> kNames = {"ant",   "bison", "crane", "dingo", "egret", "finch",
                                                "gecko", "heron", "ibis",  "koala", "lemur", "moth",
                                                "newt",  "otter", "pine",  "yew"};

}  // namespace

uint64_t RandomBetween(uint64_t lo, uint64_t hi) {
  std::uniform_int_distribution<uint64_t> dist(lo, hi);
  return dist(Generator());
}

int32_t RandomSeed() { return static_cast<int32_t>(RandomBetween(0, 2147483647u)); }

std::string RandomNickname() {
  return std::string(kColours[RandomBetween(0, kColours.size() - 1)]) + "_" +
         kNames[RandomBetween(0, kNames.size() - 1)];
}

}  // namespace labstore::internal
