// ChunkDecodeAhead (chunk_ahead.h): a ring of chunk values decoded by
// worker threads ahead of the thread that scans them.
#include "record/chunk_ahead.h"

#include "record/chunk_scanner.h"

namespace labstore::internal {

size_t Footprint(const AheadSlots& ring) {
  size_t bytes = 0;
  for (const auto& slot : ring.slots) {
    bytes += slot->key.capacity() + slot->value.capacity() + Footprint(slot->chunk);
  }
  return bytes;
}

ChunkDecodeAhead::ChunkDecodeAhead(unsigned workers) {
  const size_t n = size_t{workers} * 2 + 2;
  while (ring_->slots.size() < n) ring_->slots.push_back(std::make_unique<AheadSlot>());
  for (auto& slot : ring_->slots) slot->state = AheadSlot::State::kFree;
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { Work(); });
}

ChunkDecodeAhead::~ChunkDecodeAhead() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  queued_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ChunkDecodeAhead::Push(std::string_view key, std::string_view value) {
  AheadSlot& slot = *ring_->slots[(head_ + count_) % ring_->slots.size()];
  slot.key.assign(key);
  slot.value.assign(value);
  {
    std::lock_guard lock(mu_);
    slot.state = AheadSlot::State::kQueued;
    ++count_;
  }
  queued_.notify_one();
}

AheadSlot& ChunkDecodeAhead::Front() {
  AheadSlot& slot = *ring_->slots[head_];
  std::unique_lock lock(mu_);
  if (slot.state == AheadSlot::State::kQueued) {
    slot.state = AheadSlot::State::kDecoding;
    lock.unlock();
    Decode(&slot);
    return slot;
  }
  done_.wait(lock, [&] { return slot.state == AheadSlot::State::kDone; });
  return slot;
}

void ChunkDecodeAhead::Pop() {
  std::lock_guard lock(mu_);
  ring_->slots[head_]->state = AheadSlot::State::kFree;
  head_ = (head_ + 1) % ring_->slots.size();
  --count_;
}

void ChunkDecodeAhead::Decode(AheadSlot* slot) {
  std::string reason;  // the scanner decodes a failed chunk again to name it
  const bool ok = DecodeChunk(slot->value, &slot->chunk, &reason);
  {
    std::lock_guard lock(mu_);
    slot->decoded = ok;
    slot->state = AheadSlot::State::kDone;
  }
  done_.notify_all();
}

void ChunkDecodeAhead::Work() {
  const size_t n = ring_->slots.size();
  std::unique_lock lock(mu_);
  while (true) {
    AheadSlot* next = nullptr;
    queued_.wait(lock, [&] {
      if (stop_) return true;
      for (size_t i = 0; i < count_ && next == nullptr; ++i) {  // earliest first
        AheadSlot* s = ring_->slots[(head_ + i) % n].get();
        if (s->state == AheadSlot::State::kQueued) next = s;
      }
      return next != nullptr;
    });
    if (stop_) return;
    next->state = AheadSlot::State::kDecoding;
    lock.unlock();
    Decode(next);
    lock.lock();
  }
}

}  // namespace labstore::internal
