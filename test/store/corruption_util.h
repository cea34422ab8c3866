// Helpers of the corruption suite: a store with a bit of everything in it, a
// digest of everything a user can read from it, and byte flips in its files.
#ifndef LABSTORE_TEST_STORE_CORRUPTION_UTIL_H_
#define LABSTORE_TEST_STORE_CORRUPTION_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "labstore/labstore.h"

namespace labstore::corruption_test {

// What the reads target: fixed from the undamaged store, so that a damaged
// listing cannot shrink what is compared.
struct Plan {
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, std::string>> definitions;  // (module, config) for Get
  std::vector<std::pair<std::string, std::string>> scopes;       // (id, scope)
  std::vector<std::pair<std::string, std::string>> files;        // (id, path)
};

// One line per read ("find rm3SAJ" -> the experiment's fields, or "<Corruption>").
using Digest = std::map<std::string, std::string>;

// One store file that a test damages, with what it belongs to.
struct StoreFile {
  std::string name;    // "000012.sst", "000004.log", "000015.blob"
  std::string kind;    // "sst", "wal", "blob"
  std::string family;  // column family of a table file, else empty
  uint64_t size = 0;
};

// Builds the store in `dir`: experiments with markers, output, an execution,
// record scopes of several chunks, data files (one of them with chunks large
// enough for a RocksDB blob file), closed so all of that is in table files;
// then reopens it, writes a second experiment with rows, files and markers
// and abandons the handle without a flush, as a killed process does, so that
// those writes are only in the write-ahead log. Returns the plan of reads and
// the store's files.
std::pair<Plan, std::vector<StoreFile>> BuildStore(const std::string& dir);

// Every read of the plan, through the public API.
Digest ReadEverything(Store& store, const Plan& plan);

// Copies the store directory `from` to `to` (replacing `to`).
void CopyStore(const std::string& from, const std::string& to);

// XORs the byte at `offset` of `path` with `mask` (not 0).
void FlipByte(const std::string& path, uint64_t offset, uint8_t mask);

// Trials per file kind: `normal`, or `long_run` when LABSTORE_LONG=1.
int Trials(int normal, int long_run);

}  // namespace labstore::corruption_test

#endif  // LABSTORE_TEST_STORE_CORRUPTION_UTIL_H_
