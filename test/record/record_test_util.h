// Helpers for the record tests.
#ifndef LABSTORE_TEST_RECORD_RECORD_TEST_UTIL_H_
#define LABSTORE_TEST_RECORD_RECORD_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "labstore/labstore.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "test_util.h"

#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "record/scope.h"
#include "store/store_state.h"

namespace labstore::test {

// A stored experiment's id.
inline std::string NewExperiment(Store& store, const std::string& module = "sim") {
  auto e = store.Create({.module = module});
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return e->id;
}

inline RecordWriter OpenWriter(Store& store, const std::string& id, const std::string& scope,
                               const RecordOptions& options = {}) {
  auto w = RecordWriter::Open(store, id, scope, options);
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  return std::move(*w);
}

inline std::vector<Row> Rows(const Store& store, const std::string& id, const std::string& scope,
                             const RowRange& range = {}) {
  auto rows = ReadRows(store, id, scope, range);
  REQUIRE_MESSAGE(rows.ok(), rows.status().ToString());
  return std::move(*rows);
}

// "name=value;name=value" of a row (values as JSON), for one-line checks.
inline std::string Show(const Row& row) {
  std::string out;
  for (const auto& [name, value] : row.cells) {
    if (!out.empty()) out += ";";
    out += name + "=" + value.ToJson();
  }
  return out;
}

// Flips a bit of byte `byte` (modulo its size) of the value under the records
// key of chunk `start` of a scope, or deletes the value with `remove`.
inline void DamageChunk(Store& store, const std::string& id, const std::string& scope, uint64_t start, int byte,
                   bool remove = false) {
  internal::StoreState& st = *internal::StateOf(store);
  std::string key = internal::RecordKey(internal::LookupKey(st, id).value(), scope, start);
  std::string value;
  REQUIRE(st.db->Get(rocksdb::ReadOptions(), st.handle(internal::kCfRecords), key, &value).ok());
  if (remove) {
    REQUIRE(st.db->Delete(rocksdb::WriteOptions(), st.handle(internal::kCfRecords), key).ok());
    return;
  }
  value[static_cast<size_t>(byte) % value.size()] ^= 0x20;
  REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(internal::kCfRecords), key, value).ok());
}

}  // namespace labstore::test

#endif  // LABSTORE_TEST_RECORD_RECORD_TEST_UTIL_H_
