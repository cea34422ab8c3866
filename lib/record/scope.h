// Record keys, scope metadata and name rules. Private to lib/record.
//
// records key  := experiment_key(20) scope_hash(8, BE) chunk_start(8, BE)
// scope_hash   := XXH3-64 (seed 0) of the scope name
// scopes key   := experiment_key(20) scope_name
// scope_meta   := version(1) = 1 rows(8, LE) chunks(8, LE) bytes(8, LE)
//                 column_count(varint) (name_length(varint) name type(1)){column_count}
//   rows         rows stored in the scope (= chunk_start + row_count of its last chunk)
//   chunks/bytes number and total size of its chunk values
//   columns      in order of first appearance; type = MergeTypes over the chunks
// A chunk and the new scope_meta are written in one WriteBatch.
// Pinned by test/record/chunk_test.cc.
#ifndef LABSTORE_LIB_RECORD_SCOPE_H_
#define LABSTORE_LIB_RECORD_SCOPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/status.h"

namespace labstore::internal {

inline constexpr uint8_t kScopeMetaVersion = 1;

// InvalidArgument unless `name` is a valid scope or column name (`what` is
// "scope" or "column"): non-empty, at most kMaxRecordNameLength bytes, no '/'
// and no NUL.
Status ValidateRecordName(std::string_view what, std::string_view name);

std::string RecordPrefix(std::string_view experiment_key, std::string_view scope);  // 28 bytes
std::string RecordKey(std::string_view experiment_key, std::string_view scope, uint64_t chunk_start);
std::string ScopeKey(std::string_view experiment_key, std::string_view scope);

// The type of a column holding values of types a and b: null merges into
// anything; equal types stay; int64 and double give double; other different
// types give kJson.
inline ValueType MergeTypes(ValueType a, ValueType b) {
  if (a == ValueType::kNull) return b;
  if (b == ValueType::kNull || a == b) return a;
  auto number = [](ValueType t) { return t == ValueType::kInt64 || t == ValueType::kDouble; };
  if (number(a) && number(b)) return ValueType::kDouble;
  return ValueType::kJson;
}

// The process-wide registry of scopes in use (an open RecordWriter, or
// ClearRecords while it runs), in writer.cc. A claim names (store handle,
// experiment key, scope). ClaimScope returns false if it is already claimed.
// Thread-safe.
std::string ScopeClaimKey(const void* store_state, std::string_view experiment_key, std::string_view scope);
bool ClaimScope(const std::string& claim);
void ReleaseScope(const std::string& claim);

std::string EncodeScopeMeta(const ScopeInfo& info);
// Errors: Corruption (reason without context; the caller adds it).
Result<ScopeInfo> DecodeScopeMeta(std::string_view scope, std::string_view value);

// Adds one part's metadata of a scope to `into`, the union of the parts'
// (doc/many-writers.md): rows the highest, chunks and bytes summed, columns in
// order of first appearance with their types merged (MergeTypes).
void MergeScopeParts(ScopeInfo* into, const ScopeInfo& part);

struct StoreState;  // store/store_state.h

// The scope's metadata (empty, rows == 0, when it has none), the union of
// every part's. Errors:
// Corruption naming the experiment and scope, IOError.
Result<ScopeInfo> LoadScope(const StoreState& st, std::string_view id, std::string_view exp_key,
                            std::string_view scope);

// LoadScope, plus a check that no other scope of the experiment has the same
// scope_hash (InvalidArgument), and with views that none holds the first
// chunk the writer would store (Busy naming the part). Used by the writer,
// after it claimed the scope: its chunks and bytes are the own part's (whose
// metadata it rewrites), rows and columns the union's.
Result<ScopeInfo> LoadScopeChecked(const StoreState& st, std::string_view id, std::string_view exp_key,
                                   std::string_view scope);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_SCOPE_H_
