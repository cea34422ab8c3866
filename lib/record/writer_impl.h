// RecordWriter's state, shared by writer.cc (the public methods) and
// writer_impl.cc (building rows, sealing chunks, the background thread).
// Private to lib/record.
//
// Threads and locks:
//  - The caller's thread owns the chunk being built (`building`). It holds
//    `row_lock` (a one-byte spin lock, ~4 ns per row) from the first Set of a
//    row until Save returns, and around every other access to `building`.
//  - The background thread writes a sealed chunk (`inflight`), then waits for
//    the next. To flush by time while the caller is idle, it takes `row_lock`
//    with try-lock only; so a row being built is never touched by it.
//  - `mu` guards the hand-over (inflight, spare, last_row, bg_error, stop).
//    Lock order: row_lock, then mu.
// Sealing waits while the previous chunk is still being written, so at most
// two chunk buffers exist per writer: memory is bounded by flush_rows /
// flush_bytes, whatever the number of rows logged.
#ifndef LABSTORE_LIB_RECORD_WRITER_IMPL_H_
#define LABSTORE_LIB_RECORD_WRITER_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "record/chunk.h"
#include "record/chunk_builder.h"
#include "record/clock.h"
#include "record/value_json.h"
#include "store/store_state.h"

namespace labstore {

namespace internal {
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
}  // namespace internal

struct RecordWriter::Impl final : internal::OpenHandle {
  internal::StoreState* st = nullptr;
  std::string id, scope, exp_key, scope_key, registry_key;
  RecordOptions opt;

  // ---- the caller's thread ---------------------------------------------------
  std::vector<std::string> names;
  std::unordered_map<std::string, uint32_t, internal::StringHash, std::equal_to<>> by_name;
  // Set(name): the ids of the names set since the last Save, in order; the
  // next row usually names the same columns in the same order, so
  // ResolveForSet checks names[name_order[name_cursor]] before hashing.
  std::vector<uint32_t> name_order;
  uint32_t name_cursor = 0;
  std::unique_ptr<internal::ChunkBuffer> building;
  internal::ColumnBuffer* cols = nullptr;  // building->columns.data()
  uint32_t ncols = 0;
  uint32_t row = 0;              // == building->rows
  uint64_t building_first = 0;   // scope row number of building's row 0
  bool row_open = false;         // row_lock held by the caller
  uint32_t row_cells = 0;
  size_t row_bytes = 0;
  Status row_error;
  std::optional<Timestamp> row_ts;
  int64_t deadline = INT64_MAX;  // clock micros at which `building` must be flushed
  int64_t offset_until = 0;      // utc offset valid until this clock micros
  int32_t utc_offset = 0;
  internal::RowClock clock;
  bool saved_any = false;
  bool closed = false;
  std::string ended_by;      // "Store::Close" once the store ended this writer
  bool ended_open = false;   // it was still open then
  std::atomic<uint64_t> accepted{0};
  std::atomic<bool> row_lock{false};

  // ---- hand-over, guarded by mu -------------------------------------------------
  std::mutex mu;
  std::condition_variable cv;
  std::unique_ptr<internal::ChunkBuffer> inflight;
  uint64_t inflight_first = 0;
  std::unique_ptr<internal::ChunkBuffer> spare;
  std::optional<Row> last_row;  // last saved row once `building` is empty
  bool stop = false;
  Status bg_error;
  std::atomic<bool> has_bg_error{false};
  std::atomic<uint64_t> stored{0};
  std::thread flusher;

  // ---- the background thread ------------------------------------------------------
  ScopeInfo meta;
  std::unordered_map<std::string, size_t, internal::StringHash, std::equal_to<>> meta_index;
  std::string raw, chunk;
  rocksdb::WriteBatch batch;

  ~Impl() override { Unregister(); }

  void LockRow() {
    while (row_lock.exchange(true, std::memory_order_acquire)) std::this_thread::yield();
  }
  bool TryLockRow() { return !row_lock.exchange(true, std::memory_order_acquire); }
  void UnlockRow() { row_lock.store(false, std::memory_order_release); }

  void OpenRow() {
    LockRow();
    row_open = true;
  }
  void CloseRow() {
    row_open = false;
    row_cells = 0;
    row_bytes = 0;
    row_ts.reset();
    if (!row_error.ok()) [[unlikely]] row_error = Status::OK();
    name_cursor = 0;
    UnlockRow();
  }

  // Holds row_lock for a scope unless the caller already holds it.
  struct Guard {
    Impl* w;
    bool took;
    explicit Guard(Impl* impl) : w(impl), took(!impl->row_open) {
      if (took) w->LockRow();
    }
    ~Guard() {
      if (took) w->UnlockRow();
    }
  };

  std::unique_ptr<internal::ChunkBuffer> NewBuffer();

  void AddColumnToBuilding(const std::string& name);

  Row Materialize(const internal::ChunkBuffer& b, uint32_t r, uint64_t index, Timestamp ts) const;
  Row MaterializeSaved(const internal::ChunkBuffer& b, uint32_t r, uint64_t first) const;

  // Removes the cell of the current row from `c` (it must be present).
  void RemoveCell(internal::ColumnBuffer& c);

  void AppendValue(internal::ColumnBuffer& c, const Value& v);

  // Every Set that the fast paths do not take.
  void SetSlow(ColumnId column, const Value& v);

  void SetError(Status s);

  // SaveColumns (writer_columns.cc): checks a batch; appends it a segment
  // (rows that fit the chunk being built) at a time.
  Status CheckBatch(const ColumnBatch& batch) const;
  size_t SegmentRows(const ColumnBatch& batch, size_t start) const;
  void AppendSegment(const ColumnBatch::Column& in, size_t start, uint32_t n);
  Status SaveBatch(const ColumnBatch& batch);

  void RefreshOffset(int64_t now);

  // Hands `building` (rows > 0) to the background thread. Caller holds
  // row_lock. Cells of a row being built move to the new buffer.
  void Seal();

  // ---- background thread ------------------------------------------------------

  Status WriteChunk(const internal::ChunkBuffer& b, uint64_t first);

  void TryIdleFlush();

  void Run();

  Status BackgroundError() {
    std::lock_guard lk(mu);
    return bg_error;
  }

  // Waits until no chunk is being written.
  void WaitIdle() {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return inflight == nullptr; });
  }

  Status ClosedError(std::string_view op) const {
    if (ended_open) {
      return internal::EndedError(fmt::format("record writer for experiment {} scope \"{}\"", id, scope), ended_by,
                                  fmt::format("cannot {}; its rows were stored when the store closed", op));
    }
    return Status::InvalidArgument(
        fmt::format("cannot {}: the writer of scope \"{}\" of experiment {} is closed", op, scope, id));
  }

  // Drops the row being built, if any.
  void DiscardRow();
  // Stores every accepted row and waits; the row being built stays.
  Status FlushRows();
  // Close(): discards the row being built, stores the rest, stops the
  // background thread and releases the scope. Returns the flush's error.
  Status Shutdown();
  // Shutdown() on behalf of Store::Close; later calls fail with ClosedError.
  Status EndWithStore(std::string_view by) override;
};

}  // namespace labstore

#endif  // LABSTORE_LIB_RECORD_WRITER_IMPL_H_
