// The store-wide sequence number (sequence.h).
#include "store/sequence.h"

#include <string>

#include "util/coding.h"

namespace labstore::internal {

void SequenceDraw::Stage(rocksdb::WriteBatch* batch) const {
  if (drawn_ == 0) return;
  std::string next;
  PutFixed64(&next, st_.next_sequence + drawn_);
  batch->Put(st_.handle(kCfMeta), kNextSequenceKey, next);
}

}  // namespace labstore::internal
