// Run: started marker, a heartbeat thread, finished marker (labstore/run.h).
#include "labstore/run.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "experiment/run_testing.h"
#include "labstore/store.h"
#include "store/claims.h"
#include "store/open_handles.h"
#include "store/store_state.h"
#include "util/return_if_error.h"

namespace labstore {
namespace {

constexpr uint32_t kMaxHeartbeatIntervalMs = 3600000;

// (store, experiment id) pairs with a live Run in this process.
internal::Claims& LiveRuns() {
  static internal::Claims live;
  return live;
}

// Heartbeat failures injected by tests: experiment id -> status.
std::mutex g_inject_mu;
std::map<std::string, Status, std::less<>>& Injected() {
  static std::map<std::string, Status, std::less<>> injected;
  return injected;
}

Status Heartbeat(Store& store, std::string_view id) {
  {
    std::lock_guard lk(g_inject_mu);
    auto it = Injected().find(id);
    if (it != Injected().end()) return it->second;
  }
  return store.UpdateHeartbeat(id);
}

}  // namespace

void internal::InjectHeartbeatFailure(std::string_view experiment_id, Status failure) {
  std::lock_guard lk(g_inject_mu);
  if (failure.ok()) {
    Injected().erase(std::string(experiment_id));
  } else {
    Injected()[std::string(experiment_id)] = std::move(failure);
  }
}

// A live Run is an open handle of its store (store/open_handles.h): closing
// or destroying the Store stops the heartbeat thread first, so no heartbeat
// races the database's close.
struct Run::Impl : internal::OpenHandle {
  Store* store = nullptr;
  std::string ended_by;  // set when the store ended the Run (EndWithStore)
  std::string id;
  std::string live_key;
  RunOptions options;
  bool ended = false;  // Finish() called or the thread stopped for good

  std::thread thread;
  mutable std::mutex mu;  // guards everything below
  std::condition_variable wake;
  bool stop = false;
  Status first_error;
  uint64_t failures = 0;
  uint64_t beats = 0;

  void Loop() {
    auto interval = std::chrono::milliseconds(options.heartbeat_interval_ms);
    auto next = std::chrono::steady_clock::now() + interval;
    std::unique_lock lk(mu);
    while (true) {
      if (wake.wait_until(lk, next, [this] { return stop; })) return;
      lk.unlock();
      Status s = Heartbeat(*store, id);
      lk.lock();
      if (s.ok()) {
        ++beats;
      } else {
        if (failures++ == 0) first_error = s;
      }
      next += interval;
      auto now = std::chrono::steady_clock::now();
      if (next < now) next = now + interval;  // fell behind (a stall): do not burst
    }
  }

  Status EndWithStore(std::string_view by) override {
    End();
    ended_by = std::string(by);
    return Status::OK();
  }

  // Stops and joins the heartbeat thread and releases the experiment.
  void End() {
    Unregister();
    if (ended) return;
    ended = true;
    {
      std::lock_guard lk(mu);
      stop = true;
    }
    wake.notify_all();
    if (thread.joinable()) thread.join();
    LiveRuns().Release(live_key);
  }
};

Run::Run(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Run::Run(Run&&) noexcept = default;
Run& Run::operator=(Run&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->End();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
Run::~Run() {
  if (impl_) impl_->End();
}

Result<Run> Run::Start(Store& store, std::string_view experiment_id, const RunOptions& options) {
  if (options.heartbeat_interval_ms == 0 || options.heartbeat_interval_ms > kMaxHeartbeatIntervalMs) {
    return Status::InvalidArgument(
        fmt::format("invalid RunOptions::heartbeat_interval_ms {}", options.heartbeat_interval_ms),
        fmt::format("it must be in 1..{}", kMaxHeartbeatIntervalMs));
  }
  auto status = store.GetStatus(experiment_id);  // InvalidArgument / NotFound for a bad id or a closed store
  if (!status.ok()) return status.status();
  if (status->IsFinished()) {
    return Status::InvalidArgument(fmt::format("cannot run experiment \"{}\": it is already finished", experiment_id),
                                   "create a fresh experiment of the same definition to run it again");
  }
  auto impl = std::make_unique<Impl>();
  impl->store = &store;
  impl->id = std::string(experiment_id);
  impl->options = options;
  impl->live_key = internal::StoreClaimPrefix(internal::StateOf(store)) + impl->id;
  if (!LiveRuns().Claim(impl->live_key)) {
    return Status::Busy(fmt::format("experiment \"{}\" already has a live Run in this process", experiment_id),
                        "finish or destroy it first");
  }
  impl->Register(internal::StateOf(store)->handles);
  // From here on End() releases the live entry, also on the error paths.
  Run run(std::move(impl));
  Timestamp now = Now();
  LABSTORE_RETURN_IF_ERROR(store.MarkStarted(experiment_id, now));
  LABSTORE_RETURN_IF_ERROR(store.UpdateHeartbeat(experiment_id, now));
  Impl* raw = run.impl_.get();
  raw->thread = std::thread([raw] { raw->Loop(); });
  return run;
}

Status Run::Finish() {
  if (impl_ && !impl_->ended_by.empty()) {
    return internal::EndedError(fmt::format("the run of experiment \"{}\"", impl_->id), impl_->ended_by,
                                "finish every Run before closing its Store; the experiment is not marked finished");
  }
  if (!impl_ || impl_->ended) return Status::InvalidArgument("cannot finish the run: it has already ended");
  impl_->End();
  Status finished = impl_->store->MarkFinished(impl_->id);
  if (!finished.ok()) return finished;
  std::lock_guard lk(impl_->mu);
  if (impl_->failures == 0) return Status::OK();
  const Status& e = impl_->first_error;
  std::string what =
      fmt::format("{} of {} heartbeats of experiment \"{}\" failed (it is marked finished); the first: {}",
                  impl_->failures, impl_->failures + impl_->beats, impl_->id, e.message());
  switch (e.code()) {
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(what);
    case Status::Code::kNotFound: return Status::NotFound(what);
    case Status::Code::kBusy: return Status::Busy(what);
    case Status::Code::kCorruption: return Status::Corruption(what);
    case Status::Code::kNotSupported: return Status::NotSupported(what);
    default: return Status::IOError(what);
  }
}

Status Run::heartbeat_status() const {
  std::lock_guard lk(impl_->mu);
  return impl_->first_error;
}

uint64_t Run::heartbeats() const {
  std::lock_guard lk(impl_->mu);
  return impl_->beats;
}

const std::string& Run::experiment_id() const { return impl_->id; }

}  // namespace labstore
