// Helpers of the data suite: a store with an experiment, one-line reads and
// counts of the keys behind the files.
#ifndef LABSTORE_TEST_DATA_DATA_TEST_UTIL_H_
#define LABSTORE_TEST_DATA_DATA_TEST_UTIL_H_

#include <string>

#include <doctest/doctest.h>

#include "data/content_store.h"
#include "labstore/data.h"
#include "labstore/labstore.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore::data_test {

using test::OpenStore;
using test::TempDir;

// Stores a fresh experiment of module "m"; returns its id.
inline std::string NewExperiment(Store& store, const std::string& config = "{}") {
  auto e = store.Create({.module = "m", .config = config});
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return e->id;
}

// A writable store in a temporary directory with one stored experiment.
struct DataFixture {
  TempDir tmp;
  std::string dir = tmp.Sub("store");
  Store store = OpenStore(dir);
  std::string id = NewExperiment(store);
};

// The file's bytes, or the status code name ("NotFound", ...).
inline std::string Load(Store& store, const std::string& id, const std::string& path) {
  auto r = LoadFile(store, id, path);
  return r.ok() ? *r : std::string("<") + Status::CodeName(r.status().code()) + ">";
}

inline size_t ListFilesCount(Store& store, const std::string& id) {
  auto r = ListFiles(store, id);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return r->size();
}

// How many chunks a content of `size` bytes written now takes.
inline size_t Chunks(Store& store, uint64_t size) {
  uint32_t chunk = internal::ChunkSizeFor(*internal::StateOf(store));
  return static_cast<size_t>((size + chunk - 1) / chunk);
}

// Keys of the blobs column family whose first byte is `tag` ('h' content
// headers, 'd' chunks, 'u' unfinished uploads).
inline size_t CountBlobKeys(Store& store, char tag) {
  auto* st = internal::StateOf(store);
  std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator(rocksdb::ReadOptions(), st->handle(internal::kCfBlobs)));
  size_t n = 0;
  for (it->Seek(std::string(1, tag)); it->Valid() && it->key()[0] == tag; it->Next()) ++n;
  REQUIRE(it->status().ok());
  return n;
}

}  // namespace labstore::data_test

#endif  // LABSTORE_TEST_DATA_DATA_TEST_UTIL_H_
