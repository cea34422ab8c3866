// Store: status markers (started, heartbeat, finished) and the output log.
#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "experiment/keys.h"
#include "experiment/lookup.h"
#include "labstore/store.h"
#include "store/sequence.h"
#include "store/store_state.h"
#include "store/union_read.h"
#include "util/return_if_error.h"

namespace labstore {
using namespace internal;  // NOLINT: this file implements Store over internal pieces

namespace {

// Looks up `id` for a write, and takes a sequence number under the write lock.
Result<std::string> KeyForWrite(StoreState& st, std::string_view id, std::string_view operation) {
  LABSTORE_RETURN_IF_ERROR(st.CheckWritable(operation));
  return LookupKey(st, id);
}

Status WriteWithSequence(StoreState& st, std::string_view key, StatusKind kind, std::string_view value,
                         std::string_view what) {
  std::lock_guard<std::mutex> guard(st.write_mu);
  SequenceDraw draw(st);
  rocksdb::WriteBatch batch;
  batch.Put(st.handle(kCfStatus), StatusKey(key, kind, draw.Next()), rocksdb::Slice(value.data(), value.size()));
  draw.Stage(&batch);
  rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
  if (!s.ok()) return FromRocks(s, fmt::format("cannot {}", what));
  draw.Commit();
  return Status::OK();
}

// True when instant a is later than instant b: the heartbeat and finished
// markers of every part, the newest wins.
bool NewerInstant(std::string_view a, std::string_view b) {
  Timestamp ta, tb;
  if (!DecodeInstant(a, &ta)) return false;
  if (!DecodeInstant(b, &tb)) return true;
  return ta.unix_micros > tb.unix_micros;
}

}  // namespace

bool ExperimentStatus::IsActive(Timestamp now, int64_t window_seconds) const {
  if (IsFinished() || !heartbeat_at) return false;
  int64_t age = now.unix_micros - heartbeat_at->unix_micros;
  return age <= window_seconds * 1000000;
}

bool ExperimentStatus::IsIncomplete(Timestamp now, int64_t window_seconds) const {
  return IsStarted() && !IsFinished() && !IsActive(now, window_seconds);
}

Status Store::MarkStarted(std::string_view id, Timestamp at) {
  auto key = KeyForWrite(*state_, id, "mark an experiment started");
  if (!key.ok()) return key.status();
  return WriteWithSequence(*state_, *key, StatusKind::kStarted, EncodeInstant(at),
                           fmt::format("mark experiment \"{}\" started", id));
}

Status Store::UpdateHeartbeat(std::string_view id, Timestamp at) {
  StoreState& st = *state_;
  auto key = KeyForWrite(st, id, "update a heartbeat");
  if (!key.ok()) return key.status();
  rocksdb::Status s = st.db->Put(rocksdb::WriteOptions(), st.handle(kCfStatus),
                                 StatusKey(*key, StatusKind::kHeartbeat), EncodeInstant(at));
  return FromRocks(s, fmt::format("cannot update the heartbeat of \"{}\"", id));
}

Status Store::MarkFinished(std::string_view id, Timestamp at) {
  StoreState& st = *state_;
  auto key = KeyForWrite(st, id, "mark an experiment finished");
  if (!key.ok()) return key.status();
  rocksdb::WriteBatch batch;
  batch.Put(st.handle(kCfStatus), StatusKey(*key, StatusKind::kHeartbeat), EncodeInstant(at));
  batch.Put(st.handle(kCfStatus), StatusKey(*key, StatusKind::kFinished), EncodeInstant(at));
  rocksdb::Status s = st.db->Write(rocksdb::WriteOptions(), &batch);
  return FromRocks(s, fmt::format("cannot mark experiment \"{}\" finished", id));
}

Result<ExperimentStatus> Store::GetStatus(std::string_view id) const {
  const StoreState& st = *state_;
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  ExperimentStatus out;
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfStatus);
  std::string prefix = *key;
  std::string latest;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto kind = static_cast<StatusKind>(it->key()[kExperimentKeySize]);
    if (kind != StatusKind::kStarted && kind != StatusKind::kHeartbeat && kind != StatusKind::kFinished) continue;
    std::string_view value(it->value().data(), it->value().size());
    if (kind != StatusKind::kStarted && HasViews(st)) {
      rocksdb::Status s = GetLatest(st, kCfStatus, it->key(), &latest, NewerInstant);
      if (!s.ok()) return FromRocks(s, fmt::format("cannot read the status of \"{}\"", id));
      value = latest;
    }
    Timestamp t;
    if (!DecodeInstant(value, &t)) {
      return Status::Corruption(fmt::format("a status marker of experiment \"{}\" is damaged", id));
    }
    if (kind == StatusKind::kStarted) out.started_at.push_back(t);
    if (kind == StatusKind::kHeartbeat) out.heartbeat_at = t;
    if (kind == StatusKind::kFinished) out.finished_at = t;
  }
  if (!it->status().ok()) return FromRocks(it->status(), fmt::format("cannot read the status of \"{}\"", id));
  return out;
}

Status Store::AppendOutput(std::string_view id, std::string_view text) {
  auto key = KeyForWrite(*state_, id, "append to an output log");
  if (!key.ok()) return key.status();
  if (text.empty()) return Status::OK();
  return WriteWithSequence(*state_, *key, StatusKind::kOutput, text, fmt::format("append to the output of \"{}\"", id));
}

Result<std::string> Store::ReadOutput(std::string_view id) const {
  const StoreState& st = *state_;
  auto key = LookupKey(st, id);
  if (!key.ok()) return key.status();
  std::string out;
  std::string prefix = StatusKey(*key, StatusKind::kOutput);
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, kCfStatus);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.append(it->value().data(), it->value().size());
  }
  if (!it->status().ok()) return FromRocks(it->status(), fmt::format("cannot read the output of \"{}\"", id));
  return out;
}

}  // namespace labstore
