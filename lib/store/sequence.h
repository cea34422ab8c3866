// The sequence numbers of a store part, unique across parts without
// coordination (doc/many-writers.md, "Numbers"), persisted per part as
// meta "next_sequence" := fixed64 little-endian, the lowest number the part
// may draw next.
//
//   sequence := (unix_micros << 12) | part      part 0 (main) .. 4095 (shards/<n>)
//
// A part draws max(now << 12 | part, next_sequence rounded up to its part):
// numbers increase strictly within a part (the clock standing still or going
// back gives the last one plus 4096), and across parts they follow the
// clocks, which is what "newest wins" between parts needs. Counters of stores
// written before (1, 2, 3, ...) are far below: their numbers still sort first.
//
// Experiments (by_time keys, derived links), status markers and data ids all
// draw from it. A writer draws under StoreState::write_mu, puts the new
// "next_sequence" into the WriteBatch that uses the numbers, and advances
// StoreState::next_sequence only once that batch is written, so a failed
// write gives nothing away:
//
//   SequenceDraw seq(st);            // st.write_mu held
//   uint64_t n = seq.Next();
//   batch.Put(..., key with n, ...);
//   seq.Stage(&batch);
//   if (st.db->Write(wo, &batch).ok()) seq.Commit();
#ifndef LABSTORE_LIB_STORE_SEQUENCE_H_
#define LABSTORE_LIB_STORE_SEQUENCE_H_

#include <cstdint>

#include <rocksdb/write_batch.h>

#include "store/store_state.h"

namespace labstore::internal {

inline constexpr char kNextSequenceKey[] = "next_sequence";
inline constexpr int kPartBits = 12;
inline constexpr uint64_t kPartStride = uint64_t{1} << kPartBits;

// The lowest number >= `floor` whose low 12 bits are `part`.
uint64_t AlignToPart(uint64_t floor, int part);

// The first number a part draws now: max(unix_micros << 12 | part,
// AlignToPart(floor, part)). Execution numbers are drawn the same way.
uint64_t FirstDraw(uint64_t floor, int part);

// Numbers reserved from one part's sequence for one WriteBatch. Not
// thread-safe: the caller holds StoreState::write_mu from the first Next() to
// Commit().
class SequenceDraw {
 public:
  explicit SequenceDraw(StoreState& st) : st_(st) {}

  // The next number: FirstDraw(st.next_sequence, st.part) on the first call,
  // 4096 more on each further call.
  uint64_t Next();
  uint64_t drawn() const { return drawn_; }

  // Puts meta "next_sequence" past the drawn numbers into `batch`; nothing when none was drawn.
  void Stage(rocksdb::WriteBatch* batch) const;
  // Advances st.next_sequence past the drawn numbers; call it after the batch is written.
  void Commit();

 private:
  uint64_t End() const { return first_ + drawn_ * kPartStride; }

  StoreState& st_;
  uint64_t first_ = 0;
  uint64_t drawn_ = 0;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_SEQUENCE_H_
