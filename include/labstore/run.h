// labstore/run.h — the life of one simulation: started, alive, finished.
//
// A Run marks a stored experiment started, keeps its heartbeat fresh from a
// background thread while the simulation computes, and marks it finished when
// the caller says it succeeded. This is what machinable's Experiment.launch()
// does around __call__ (a heartbeat every 15 s).
//
//   auto run = labstore::Run::Start(store, e.id);            // started + heartbeat
//   if (!run.ok()) return run.status();
//   Simulate(store, e.id);                                   // log records, save files
//   labstore::Status s = run->Finish();                      // finished
//
// WHAT `ls` SAYS
//  - While the Run lives, the heartbeat is at most heartbeat_interval_ms old,
//    so GetStatus(experiment_id).IsActive(Now(), kRunningWindowSeconds) is true and
//    `labstore ls` / `show` say "running".
//  - After Finish() they say "finished".
//  - If the program dies (kill -9, a crash, Ctrl-C) or the Run is destroyed
//    without Finish(), nothing more is written: the experiment stays started
//    and not finished, and once its last heartbeat is older than the window
//    `ls` says "incomplete". Its records and files stay as far as they were
//    stored. To run it again, see "Rerun" in record.h (ClearRecords) or create
//    a fresh experiment of the same definition.
//
// LIFETIME
//  - The Run keeps a pointer to `store`: Finish or destroy every Run before
//    the Store is moved or destroyed. Store::Close() (and destroying the
//    Store) ends a live Run first: its heartbeat thread stops before the
//    database closes, the experiment is left started and not finished, and
//    Finish() then returns InvalidArgument "... was closed by Store::Close".
//
// THREAD SAFETY
//  - One Run is used by one thread at a time (which one may change). Runs of
//    different experiments may live at once on one Store; a second Run of an
//    experiment that has a live Run in this process is refused (Busy).
#ifndef LABSTORE_RUN_H_
#define LABSTORE_RUN_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore {

class Store;

// machinable's heartbeat interval, milliseconds.
inline constexpr uint32_t kDefaultHeartbeatIntervalMs = 15000;
// How old a heartbeat may be for the experiment to count as running: three
// default heartbeat intervals, so that one late or failed heartbeat (a slow
// disk, a stalled machine) does not make a live run look dead. The labstore
// tool uses it for "running" vs "incomplete"; machinable 4.1 uses 30 s.
inline constexpr int64_t kRunningWindowSeconds = 45;

struct RunOptions {
  // Milliseconds between heartbeats written by the background thread.
  // Default 15000 (machinable's). Each heartbeat is one small database write.
  // Keep it well under kRunningWindowSeconds, or a live run looks incomplete.
  // 1..3,600,000.
  uint32_t heartbeat_interval_ms = kDefaultHeartbeatIntervalMs;
};

class Run {
 public:
  // Marks the stored experiment `experiment_id` started (a new start is
  // appended, Store::MarkStarted), writes its first heartbeat, and starts the
  // heartbeat thread. `store` must outlive the Run (see LIFETIME).
  // Errors:
  //  - InvalidArgument: bad id, bad options, read-only or closed store, or
  //    the experiment is already finished (create a fresh one to run again);
  //  - NotFound: no such experiment;
  //  - Busy: the experiment already has a live Run in this process;
  //  - IOError: writing the markers.
  //
  //   auto run = labstore::Run::Start(store, "rm3SAJ", {.heartbeat_interval_ms = 5000});
  static Result<Run> Start(Store& store, std::string_view experiment_id, const RunOptions& options = {});

  Run(Run&&) noexcept;
  Run& operator=(Run&&) noexcept;  // the replaced Run ends as by destruction
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  // Stops the heartbeat (promptly: the thread waits on a condition variable)
  // and does NOT mark the experiment finished: it shows as incomplete once
  // the heartbeat is older than kRunningWindowSeconds.
  ~Run();

  // The simulation succeeded: stops the heartbeat thread and marks the
  // experiment finished (Store::MarkFinished sets the heartbeat too). Further
  // calls other than destruction return InvalidArgument.
  // Returns OK when every heartbeat and the finish were written.
  // Errors:
  //  - the error of MarkFinished (InvalidArgument for a closed store, IOError):
  //    the experiment is not marked finished;
  //  - else the first failed heartbeat's error, its message saying how many
  //    heartbeats failed: the experiment IS marked finished (a missed
  //    heartbeat does not spoil results), but `ls` may have called it
  //    incomplete meanwhile;
  //  - InvalidArgument: Finish() was already called.
  Status Finish();

  // The first heartbeat error so far (OK if none). Thread-safe. Errors: none
  // (the Status returned is the heartbeat's: IOError, InvalidArgument).
  Status heartbeat_status() const;
  // Heartbeats written by the background thread so far (the first one,
  // written by Start, is not counted). Thread-safe. Errors: none.
  uint64_t heartbeats() const;

  // Errors: none.
  const std::string& experiment_id() const;

 private:
  struct Impl;
  explicit Run(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace labstore

#endif  // LABSTORE_RUN_H_
