// Reading a store as the union of its parts (doc/many-writers.md, "Reading
// the union"): the handle's own database (StoreState::db) first, then the
// read-only views of the other parts (StoreState::views), ascending by number.
// Every read of lib/ that answers a user goes through here; a read that feeds
// a write of the own part's bookkeeping (reference counts, counts, next
// numbers, dedup of contents) reads StoreState::db alone, with a comment.
//
// With no views (a store that never had a shard) each call is the one RocksDB
// call it replaces: the single-writer paths keep their speed.
//
// Snapshots: a ReadOptions::snapshot belongs to the own database and applies to
// it only. The views are RocksDB secondary instances: they change only when the
// handle catches them up (Store::Refresh), so a read sees them as they were at
// the handle's Open or last Refresh. A view whose database is null (a shard
// still being created) is skipped.
#ifndef LABSTORE_LIB_STORE_UNION_READ_H_
#define LABSTORE_LIB_STORE_UNION_READ_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "store/store_state.h"

namespace labstore::internal {

// True when reads must consult other parts than the own one.
inline bool HasViews(const StoreState& st) { return !st.views.empty(); }

// Parts are told apart here by an index: 0 is the own part, i >= 1 is
// views[i - 1] (a view whose database is null keeps its index).

// The value of `key` in the first part that holds it (own part first). For
// keys unique by construction (ids, experiments, records and content chunks,
// executions...) the only value. `part`, when given, is set to the index of
// the part that held it. Errors as rocksdb::DB::Get (NotFound when no part
// holds it; the first other error of a part).
rocksdb::Status GetAny(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::string* value,
                       const rocksdb::ReadOptions& ro = rocksdb::ReadOptions(), size_t* part = nullptr);
rocksdb::Status GetAny(const StoreState& st, Cf cf, const rocksdb::Slice& key, rocksdb::PinnableSlice* value,
                       const rocksdb::ReadOptions& ro = rocksdb::ReadOptions(), size_t* part = nullptr);

// The value of `key` in the part of index `part` alone (a snapshot in `ro`
// applies to the own part only). For keys that belong with another key read
// from that part (a content's chunks with its header). Errors as
// rocksdb::DB::Get (NotFound for a view whose database is null, or an index
// past the views).
rocksdb::Status GetIn(const StoreState& st, size_t part, Cf cf, const rocksdb::Slice& key,
                      rocksdb::PinnableSlice* value, const rocksdb::ReadOptions& ro = rocksdb::ReadOptions());

// True when value `a` is newer than value `b` (both values of one key).
using NewerValue = bool (*)(std::string_view a, std::string_view b);

// A point lookup in every part; the newest value by `newer` wins, ties going
// to the part consulted first (own part, then views ascending). For combined
// keys: definitions, status 'h'/'f', files. Errors as GetAny.
rocksdb::Status GetLatest(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::string* value,
                          NewerValue newer, const rocksdb::ReadOptions& ro = rocksdb::ReadOptions());

// Every part's value of `key`, own part first; parts without it are left out
// (an empty vector when none has it). For keys whose parts' values combine
// (scope metadata). Errors: the first error of a part other than NotFound.
rocksdb::Status GetEvery(const StoreState& st, Cf cf, const rocksdb::Slice& key, std::vector<std::string>* values,
                         const rocksdb::ReadOptions& ro = rocksdb::ReadOptions());

// An iterator over the union of the parts' keys of `cf`, each key once with
// the value of the first part holding it (store/union_iterator.h); the own
// database's plain iterator when there are no views. Its UnionIterator::part()
// is the part index above (a null view is an empty child). Keys of combined
// column families that must show the newest value are read again with GetLatest.
std::unique_ptr<rocksdb::Iterator> NewUnionIterator(const StoreState& st, Cf cf,
                                                    const rocksdb::ReadOptions& ro = rocksdb::ReadOptions());

// The first view holding a key of `cf` that starts with `prefix`; null when
// none does (always with no views). For writes that must not leave another
// part's data behind (Delete, ClearRecords). Errors: none (an unreadable view
// counts as holding it, so that nothing is left behind silently).
const Part* ViewHolding(const StoreState& st, Cf cf, std::string_view prefix);

// The first view holding exactly `key` in `cf` (one point lookup per view):
// ViewHolding for a single key (a file entry, an execution, a chunk). Null when
// none does. Errors: none (an unreadable view counts as holding it).
const Part* ViewHoldingKey(const StoreState& st, Cf cf, const rocksdb::Slice& key);

// How a part is named in messages: "the main database" or "shards/<n>" (n >= 1,
// a part's number: never a missing part's placeholder).
std::string PartName(int number);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_UNION_READ_H_
