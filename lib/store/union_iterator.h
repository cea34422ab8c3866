// One ordered walk over a column family held in several parts of a store
// (doc/many-writers.md): a k-way merge of the parts' RocksDB iterators that
// shows each key once.
//
// When several parts hold the same key, the entry of the child with the lowest
// index is shown; callers put the part whose value should win first (their own
// part, whose writes are the newest they know of). `part()` says which child
// that was, so that a caller can read related keys from the same part.
//
// Keys compare bytewise, as every column family of a store does. Any number of
// children works; the cost of a step is linear in their number (a store has
// one part per live writer process, a few dozen at most).
#ifndef LABSTORE_LIB_STORE_UNION_ITERATOR_H_
#define LABSTORE_LIB_STORE_UNION_ITERATOR_H_

#include <cstddef>
#include <memory>
#include <vector>

#include <rocksdb/iterator.h>

namespace labstore::internal {

class UnionIterator final : public rocksdb::Iterator {
 public:
  // `children` must not be empty; they are owned.
  explicit UnionIterator(std::vector<std::unique_ptr<rocksdb::Iterator>> children);

  bool Valid() const override { return current_ >= 0; }
  void SeekToFirst() override;
  void SeekToLast() override;
  void Seek(const rocksdb::Slice& target) override;
  void SeekForPrev(const rocksdb::Slice& target) override;
  void Next() override;
  void Prev() override;
  rocksdb::Slice key() const override;
  rocksdb::Slice value() const override;
  // The first error of any child, else OK.
  rocksdb::Status status() const override;

  // Index (into the constructor's vector) of the child whose entry is shown.
  size_t part() const { return static_cast<size_t>(current_); }

 private:
  enum class Direction { kForward, kReverse };
  void FindSmallest();
  void FindLargest();
  // Moves every valid child whose key equals `key` one step in `direction_`.
  void StepPast(const rocksdb::Slice& key);

  std::vector<std::unique_ptr<rocksdb::Iterator>> children_;
  int current_ = -1;
  Direction direction_ = Direction::kForward;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_UNION_ITERATOR_H_
