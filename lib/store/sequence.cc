// The sequence numbers of a store part (sequence.h).
#include "store/sequence.h"

#include <chrono>
#include <string>

#include "util/coding.h"

namespace labstore::internal {

uint64_t AlignToPart(uint64_t floor, int part) {
  uint64_t p = static_cast<uint64_t>(part) & (kPartStride - 1);
  uint64_t base = floor & ~(kPartStride - 1);
  uint64_t n = base | p;
  return n >= floor ? n : n + kPartStride;
}

uint64_t FirstDraw(uint64_t floor, int part) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  uint64_t clock = (static_cast<uint64_t>(micros < 0 ? 0 : micros) << kPartBits) | static_cast<uint64_t>(part);
  uint64_t aligned = AlignToPart(floor, part);
  return clock > aligned ? clock : aligned;
}

uint64_t SequenceDraw::Next() {
  if (drawn_ == 0) first_ = FirstDraw(st_.next_sequence, st_.part);
  return first_ + kPartStride * drawn_++;
}

void SequenceDraw::Stage(rocksdb::WriteBatch* batch) const {
  if (drawn_ == 0) return;
  std::string next;
  PutFixed64(&next, End());
  batch->Put(st_.handle(kCfMeta), kNextSequenceKey, next);
}

void SequenceDraw::Commit() {
  if (drawn_ > 0) st_.next_sequence = End();
}

}  // namespace labstore::internal
