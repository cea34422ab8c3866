// labstore/store.h — a store directory and the experiments in it.
//
// A Store is one directory holding a RocksDB database (column families listed
// in doc/format.md). Many processes may open it for writing at once: the
// first writes the main database, each further one a shard of its own
// (doc/many-writers.md); any number may open it read-only meanwhile.
//
//   auto store = labstore::Store::Open({}, "./storage.labstore");
//   if (!store.ok()) { std::puts(store.status().ToString().c_str()); return 1; }
//   auto e = store->Get("estimate_gravity", R"({"time_dilation": 2.0})");
//
// Thread safety: all methods of one Store may be called from many threads at
// once; writes of experiments are serialized inside. Store is movable, not
// copyable; Close() (or destruction) must not race with other calls.
#ifndef LABSTORE_STORE_H_
#define LABSTORE_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/options.h"
#include "labstore/status.h"
#include "labstore/time.h"

namespace labstore {

class Store;

namespace internal {
struct StoreState;
// The open database behind a Store, for labstore's own modules
// (lib/store/store_state.h); not part of the API.
StoreState* StateOf(const Store& store);
}  // namespace internal

class Store {
 public:
  // Opens (and with create_if_missing, creates) the store in `dir`.
  // Creating is atomic: a process killed at any moment of it leaves no store,
  // a whole one, or an unfinished creation that the next writer's Open
  // finishes (markers LABSTORE and LABSTORE.creating, doc/format.md).
  // A writer that finds the main database held by another writer (another
  // process, or another Store in this one) writes a shard: the lowest one no
  // writer holds (a dead writer's, with its data), else a new one, created
  // as atomically; the store becomes format 2 (doc/format.md, "Shards").
  // Errors:
  //  - Busy: all 4095 shards are held; or the main database's holder has
  //    been creating the store for over 10 s; the message names the
  //    directory and the holder's process id;
  //  - InvalidArgument: `dir` exists, is not empty and is not a labstore store
  //    (nothing in it is changed);
  //  - NotSupported: the store was written by a newer format version;
  //  - NotFound: `dir` does not exist and create_if_missing is false, or it is
  //    read_only and there is no store, or one whose creation has not finished
  //    ("store <dir> is being created": a writer's Open finishes it);
  //  - Corruption: LABSTORE is damaged, or the store holds data but no format
  //    version;
  //  - IOError / Corruption: from the file system or the database.
  static Result<Store> Open(const StoreOptions& options, std::string_view dir = kDefaultStoreDir);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();  // closes, ignoring errors; call Close() to see them

  // Flushes and closes the database and releases the writer lock. Further
  // calls on this Store return InvalidArgument. Returns the first error seen.
  //
  // Handles still open on this store are ended first, with the database
  // still open (the same happens in ~Store and when a Store is moved over):
  //  - a RecordWriter is closed: every row it accepted is stored (as by its
  //    Close()), the row being built is dropped; an error storing them is
  //    returned here;
  //  - a FileWriter is abandoned: its file is not stored, its chunks removed;
  //  - a RecordReader and a FileReader let go of their snapshot.
  // Their later calls (Save, Flush, Close, Append, Read, Next, ...) return
  // InvalidArgument "... was closed by Store::Close" and never touch the
  // store; destroying them afterwards is safe. Calls that only use the
  // handle's memory (Set, Current, accepted_rows, size, ...) keep working.
  // Errors: the error of storing an open RecordWriter's rows (IOError), or
  // IOError / Corruption from flushing and closing the database. Closing a
  // closed Store returns OK.
  Status Close();

  // The directory as given to Open, and whether it was opened read-only.
  // Errors: none.
  const std::string& dir() const;
  bool read_only() const;

  // Read-only handles: catch up with what the writers have stored since Open or
  // the last Refresh (the handle reopens the database when the writer has
  // logged or flushed anything since; well under a millisecond otherwise).
  // Must not race with other calls on this Store. Results already returned
  // are values and stay valid; RecordReaders and FileReaders opened on this
  // handle are ended as by Close (their next read returns InvalidArgument
  // "... was closed by Store::Refresh"): open them again. On a writer handle
  // it brings the views of the other parts up to date (new shards, their
  // writes) and leaves its own part and its readers as they are.
  // Errors: IOError, Corruption.
  Status Refresh();

  // ---- experiments -------------------------------------------------------

  // Validates a spec and returns the experiment it describes, not yet stored
  // (id empty, stored false). Errors: InvalidArgument (module name, config not
  // a JSON object, bad version/uses JSON, bad id, unknown ancestor).
  Result<Experiment> Make(const ExperimentSpec& spec) const;

  // Stores a made experiment: draws a fresh id unless one was given, sets
  // stored. Storing an already stored experiment does nothing.
  // Errors: InvalidArgument (read-only or closed store, id already used),
  // IOError; then the error of a deferred file (labstore/data.h, SaveData),
  // with the experiment stored.
  Status Commit(Experiment& experiment);

  // Make + Commit. Errors: as Make, then as Commit.
  Result<Experiment> Create(const ExperimentSpec& spec);

  // The latest stored experiment of (module, config), or a new experiment
  // made from them and not yet stored (stored == false). One point lookup by
  // content hash. Errors: InvalidArgument as in Make (and a closed store),
  // IOError / Corruption reading the stored experiment.
  Result<Experiment> Get(std::string_view module, std::string_view config) const;

  // The stored experiment with this id. Errors: InvalidArgument (not a valid
  // id: 6 base62 characters from 100000 to zzzzzz; a closed store), NotFound,
  // IOError / Corruption.
  Result<Experiment> Find(std::string_view experiment_id) const;

  // Stored experiments matching `options`, ordered by timestamp (then by
  // creation order). Errors: InvalidArgument (closed store), IOError,
  // Corruption.
  Result<std::vector<Experiment>> List(const ListOptions& options = {}) const;

  // Experiments derived from `experiment_id`, oldest first. Errors as Find.
  Result<std::vector<Experiment>> Derived(std::string_view experiment_id) const;

  // ---- deleting --------------------------------------------------------------

  // Deletes stored experiments with everything that belongs to them: the
  // experiment record and its id, time and definition index entries, status
  // markers, output log, record scopes (chunks and metadata), data files,
  // membership in executions and the ancestor's link to them — all in one
  // RocksDB WriteBatch, so a crash leaves each call's experiments whole or
  // gone. Afterwards Find(id) is NotFound, List() leaves them out and
  // Get(module, config) returns the latest remaining experiment of that
  // definition (or a new, unstored one).
  //  - Data files release their contents: a content that no other file
  //    refers to is deleted in the same batch (a file shared with another
  //    experiment survives).
  //  - An execution loses the deleted members (and their resources and env);
  //    one left without members is deleted. Execution numbers are not reused.
  //  - Groups and projects are names shared by experiments and stay.
  //  - An experiment with derived experiments that are not deleted too is
  //    refused, unless options.derived, which deletes the whole subtree.
  //  - Space: records go with one DeleteRange per experiment; with
  //    options.reclaim_space the ranges are compacted before returning.
  //  - The next Export into a directory that holds a deleted experiment's
  //    folder removes it and its storage.sqlite rows (labstore/export.h).
  // Returns what was removed. DeleteMany takes experiment ids.
  //   auto gone = store.Delete("rm3SAJ");
  //   if (!gone.ok()) std::puts(gone.status().ToString().c_str());
  //   auto tree = store.DeleteMany({"rm3SAJ", "k8PqZ2"}, {.derived = true});
  // DeleteMany deletes several in one batch (an id named twice, or also
  // reached as derived, counts once).
  // Errors:
  //  - InvalidArgument: a malformed id; no ids; a read-only or closed store;
  //    a RecordWriter of one of the experiments is open in this process;
  //    derived experiments exist and !options.derived (the message names
  //    them); nothing is changed;
  //  - NotFound: an id is not stored; nothing is changed;
  //  - Busy: another part of the store (a shard of another writer process)
  //    holds data of one of them, or an execution one of them is a member of
  //    (the message names the part: doc/many-writers.md); nothing is changed;
  //  - IOError / Corruption: from the database; nothing is changed.
  // Thread safety: as other writes. A FileWriter of a deleted experiment
  // fails at Close with NotFound and stores nothing.
  Result<DeleteStats> Delete(std::string_view experiment_id, const DeleteOptions& options = {});
  Result<DeleteStats> DeleteMany(const std::vector<std::string>& experiment_ids, const DeleteOptions& options = {});

  // ---- groups and projects -----------------------------------------------

  // The pattern used when an experiment has no group; "%Y_%U_%a/" unless set.
  // Errors: InvalidArgument (closed store), IOError.
  Result<std::string> DefaultGroup() const;
  // Persists a new default group pattern. Errors: InvalidArgument (empty,
  // too long, read-only or closed store), IOError.
  Status SetDefaultGroup(std::string_view pattern);
  // Every group and project stored, by path and by name.
  // Errors: InvalidArgument (closed store), IOError.
  Result<std::vector<Group>> Groups() const;
  Result<std::vector<Project>> Projects() const;

  // ---- status markers and output -----------------------------------------

  // In the errors of the marker writes below, InvalidArgument is a malformed
  // id or a read-only or closed store, NotFound an id not stored, IOError a
  // failed write.
  // Appends a start (all are kept). Errors: InvalidArgument, NotFound, IOError.
  Status MarkStarted(std::string_view experiment_id, Timestamp at = Now());
  // Replaces the heartbeat. Errors: InvalidArgument, NotFound, IOError.
  Status UpdateHeartbeat(std::string_view experiment_id, Timestamp at = Now());
  // Sets finished_at and the heartbeat to `at`. Errors: InvalidArgument, NotFound, IOError.
  Status MarkFinished(std::string_view experiment_id, Timestamp at = Now());
  // The started, heartbeat and finished markers. Errors: as Find; Corruption
  // (a damaged marker).
  Result<ExperimentStatus> GetStatus(std::string_view experiment_id) const;

  // Appends text to the experiment's output log (machinable's output.log).
  // Errors: InvalidArgument, NotFound, IOError, as the markers above.
  Status AppendOutput(std::string_view experiment_id, std::string_view text);
  // The whole output log; empty if nothing was written. Errors as Find.
  Result<std::string> ReadOutput(std::string_view experiment_id) const;

  // ---- executions ----------------------------------------------------------

  // Stores an execution of stored members. Errors: InvalidArgument (no
  // members, unknown member, bad JSON, resources for a non-member, read-only
  // or closed store), IOError.
  Result<Execution> CreateExecution(const ExecutionSpec& spec);
  // Records the host info at dispatch for one member (machinable's env.json).
  // Errors: InvalidArgument (read-only or closed store, `env_json` not a JSON
  // object, `member` not a member), NotFound (no such execution), Busy
  // (another part of the store holds the execution, naming it:
  // doc/many-writers.md), IOError.
  Status SetExecutionEnv(uint64_t number, std::string_view member, std::string_view env_json);
  // One execution by number. Errors: NotFound, InvalidArgument (closed
  // store), IOError, Corruption.
  Result<Execution> FindExecution(uint64_t number) const;
  // The executions that `experiment_id` was a member of, oldest first.
  // Errors: as Find and FindExecution.
  Result<std::vector<Execution>> Executions(std::string_view experiment_id) const;

 private:
  friend internal::StoreState* internal::StateOf(const Store& store);

  explicit Store(std::unique_ptr<internal::StoreState> state);
  std::unique_ptr<internal::StoreState> state_;
};

}  // namespace labstore

#endif  // LABSTORE_STORE_H_
