// The store-wide sequence: numbers drawn in order, never reused, persisted as
// meta "next_sequence" := fixed64 little-endian, the next number to draw.
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

// Numbers reserved from one store's sequence for one WriteBatch. Not
// thread-safe: the caller holds StoreState::write_mu from the first Next() to
// Commit().
class SequenceDraw {
 public:
  explicit SequenceDraw(StoreState& st) : st_(st) {}

  // The next number: st.next_sequence on the first call, one more on each further call.
  uint64_t Next() { return st_.next_sequence + drawn_++; }
  uint64_t drawn() const { return drawn_; }

  // Puts meta "next_sequence" past the drawn numbers into `batch`; nothing when none was drawn.
  void Stage(rocksdb::WriteBatch* batch) const;
  // Advances st.next_sequence past the drawn numbers; call it after the batch is written.
  void Commit() { st_.next_sequence += drawn_; }

 private:
  StoreState& st_;
  uint64_t drawn_ = 0;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_SEQUENCE_H_
