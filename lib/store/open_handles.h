// Objects that keep pointers into an open store past the call that made them
// (RecordWriter, RecordReader, FileWriter, FileReader), so that closing the
// store ends them first instead of leaving them dangling. Private to lib/.
//
// A handle registers when it opens and unregisters when it is destroyed.
// Store::Close (and ~Store) calls EndWithStore on every handle still
// registered, with the database still open: a record writer stores its rows,
// a file writer abandons its unfinished file, readers release their snapshots
// and iterators. Store::Refresh does the same (only readers can exist on the
// read-only handles it reopens). An ended handle never touches the store
// again; its later calls return InvalidArgument saying who closed it.
#ifndef LABSTORE_LIB_STORE_OPEN_HANDLES_H_
#define LABSTORE_LIB_STORE_OPEN_HANDLES_H_

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/status.h"

namespace labstore::internal {

class OpenHandles;

class OpenHandle {
 public:
  OpenHandle() = default;
  OpenHandle(const OpenHandle&) = delete;
  OpenHandle& operator=(const OpenHandle&) = delete;
  virtual ~OpenHandle() { Unregister(); }

  // Ends the handle because its store closes; `by` names the call
  // ("Store::Close", "Store::Refresh"). Called at most once, with the
  // database still open; afterwards the handle must not touch the store.
  // Returns an error of storing what the handle had accepted.
  virtual Status EndWithStore(std::string_view by) = 0;

  // Adds this handle to `registry` (once, when it is opened).
  void Register(OpenHandles& registry);
  // Removes it, unless the store has already ended it. Derived destructors
  // call this first, before their members go.
  void Unregister();

 private:
  friend class OpenHandles;
  OpenHandles* registry_ = nullptr;
};

// The handles of one StoreState. Add and Remove may be called from many
// threads at once; EndAll must not race with calls on the handles themselves
// (Store::Close must not race with other calls, store.h).
class OpenHandles {
 public:
  void Add(OpenHandle* handle);
  void Remove(OpenHandle* handle);
  // Ends every registered handle, oldest first, and forgets them. Returns the
  // first error.
  Status EndAll(std::string_view by);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::vector<OpenHandle*> handles_;
};

// "<what> was closed by <by>": the message of a call on an ended handle.
Status EndedError(std::string_view what, std::string_view by, std::string_view detail);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_OPEN_HANDLES_H_
