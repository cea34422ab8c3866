// ChunkDecodeAhead: decodes the chunk values of a scan on worker threads
// while the scanning thread uses the chunks before them. Private to
// lib/record; ChunkScanner drives it (chunk_scanner.h).
//
// The scanning thread copies each chunk value into a free slot (Push), in
// row order; workers decode queued slots, earliest first; Front() waits for
// the earliest slot (decoding it itself when no worker has taken it yet) and
// Pop() frees it. The slots and their buffers are the thread's spare
// (util/thread_spare.h), so a scan after the first allocates nothing.
#ifndef LABSTORE_LIB_RECORD_CHUNK_AHEAD_H_
#define LABSTORE_LIB_RECORD_CHUNK_AHEAD_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "record/chunk.h"
#include "util/thread_spare.h"

namespace labstore::internal {

// One chunk value on its way through the pipeline.
struct AheadSlot {
  enum class State : uint8_t { kFree, kQueued, kDecoding, kDone };
  State state = State::kFree;
  std::string key;    // the record key, to find the chunk again after a failure
  std::string value;  // the chunk value (copied out of the iterator)
  DecodedChunk chunk;
  bool decoded = false;  // DecodeChunk succeeded (kDone only)
};

// The slots, kept between scans on the scanning thread.
struct AheadSlots {
  std::vector<std::unique_ptr<AheadSlot>> slots;
};
size_t Footprint(const AheadSlots& slots);

class ChunkDecodeAhead {
 public:
  // Starts `workers` threads (>= 1) sharing `workers` * 2 + 2 slots.
  explicit ChunkDecodeAhead(unsigned workers);
  // Stops and joins the workers.
  ~ChunkDecodeAhead();
  ChunkDecodeAhead(const ChunkDecodeAhead&) = delete;
  ChunkDecodeAhead& operator=(const ChunkDecodeAhead&) = delete;

  bool Full() const { return count_ == ring_->slots.size(); }
  bool Empty() const { return count_ == 0; }
  // Queues a copy of (key, value) for decoding. Requires !Full().
  void Push(std::string_view key, std::string_view value);
  // The earliest queued slot, decoded (see AheadSlot::decoded). Requires !Empty().
  AheadSlot& Front();
  // Frees the earliest slot.
  void Pop();

 private:
  void Work();
  // Decodes `slot` (claimed: kDecoding) without the lock, then marks it done.
  void Decode(AheadSlot* slot);

  ThreadSpare<AheadSlots> ring_;
  size_t head_ = 0, count_ = 0;  // the scanning thread's view; slot states are under mu_
  std::mutex mu_;
  std::condition_variable queued_, done_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_CHUNK_AHEAD_H_
