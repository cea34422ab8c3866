#include "store/union_iterator.h"

#include <string>
#include <utility>

namespace labstore::internal {

UnionIterator::UnionIterator(std::vector<std::unique_ptr<rocksdb::Iterator>> children)
    : children_(std::move(children)) {}

void UnionIterator::SeekToFirst() {
  for (auto& c : children_) c->SeekToFirst();
  direction_ = Direction::kForward;
  FindSmallest();
}

void UnionIterator::SeekToLast() {
  for (auto& c : children_) c->SeekToLast();
  direction_ = Direction::kReverse;
  FindLargest();
}

void UnionIterator::Seek(const rocksdb::Slice& target) {
  for (auto& c : children_) c->Seek(target);
  direction_ = Direction::kForward;
  FindSmallest();
}

void UnionIterator::SeekForPrev(const rocksdb::Slice& target) {
  for (auto& c : children_) c->SeekForPrev(target);
  direction_ = Direction::kReverse;
  FindLargest();
}

void UnionIterator::Next() {
  // The key is copied: moving the child that holds it invalidates the slice.
  std::string key = children_[current_]->key().ToString();
  if (direction_ == Direction::kReverse) {
    // The other children stand at or before the key: put each at its first
    // key at or after it, then the common rule below moves past the key.
    for (auto& c : children_) c->Seek(key);
    direction_ = Direction::kForward;
  }
  StepPast(key);
  FindSmallest();
}

void UnionIterator::Prev() {
  std::string key = children_[current_]->key().ToString();
  if (direction_ == Direction::kForward) {
    for (auto& c : children_) c->SeekForPrev(key);
    direction_ = Direction::kReverse;
  }
  StepPast(key);
  FindLargest();
}

void UnionIterator::StepPast(const rocksdb::Slice& key) {
  for (auto& c : children_) {
    if (!c->Valid() || c->key().compare(key) != 0) continue;
    if (direction_ == Direction::kForward) c->Next(); else c->Prev();
  }
}

rocksdb::Slice UnionIterator::key() const { return children_[current_]->key(); }

rocksdb::Slice UnionIterator::value() const { return children_[current_]->value(); }

rocksdb::Status UnionIterator::status() const {
  for (const auto& c : children_) {
    rocksdb::Status s = c->status();
    if (!s.ok()) return s;
  }
  return rocksdb::Status::OK();
}

void UnionIterator::FindSmallest() {
  current_ = -1;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!children_[i]->Valid()) continue;
    // Strictly smaller: on equal keys the lowest index stays.
    if (current_ < 0 || children_[i]->key().compare(children_[current_]->key()) < 0) current_ = static_cast<int>(i);
  }
}

void UnionIterator::FindLargest() {
  current_ = -1;
  for (size_t i = 0; i < children_.size(); ++i) {
    if (!children_[i]->Valid()) continue;
    if (current_ < 0 || children_[i]->key().compare(children_[current_]->key()) > 0) current_ = static_cast<int>(i);
  }
}

}  // namespace labstore::internal
