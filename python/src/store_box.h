// The state behind the extension's Store and RecordWriter objects.
//
// A StoreBox owns one labstore::Store. Python objects (the Store, its record
// writers, reads in progress) hold it through a shared_ptr, so calls after
// close() raise an error instead of touching freed memory.
//
// Locks (taken only after the GIL is released, so that no thread waits for a
// lock while holding the GIL that the lock's holder needs):
//  - StoreBox::mu, shared by every call on the store, exclusive for close(),
//    refresh() and forget() (labstore's Close and Refresh must not race other
//    calls);
//  - WriterBox::mu, held by every call on one writer (a RecordWriter is
//    single-threaded). Order: StoreBox::mu before WriterBox::mu.
#ifndef LABSTORE_PYTHON_STORE_BOX_H_
#define LABSTORE_PYTHON_STORE_BOX_H_

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include <Python.h>
#include <pybind11/pybind11.h>

#include "errors.h"
#include "labstore/record.h"
#include "labstore/store.h"

namespace labstore::python {

struct WriterBox;

struct StoreBox {
  std::shared_mutex mu;
  std::optional<Store> store;
  std::string dir;
  bool read_only = false;
  std::mutex writers_mu;  // guards `writers`
  std::vector<std::weak_ptr<WriterBox>> writers;

  // The open store; throws InvalidArgument when it was closed. Call with `mu` held.
  Store& Get() {
    if (!store) throw StatusError(Status::InvalidArgument("store " + dir + " is closed", "open it again"));
    return *store;
  }
};

// Runs f(store) without the GIL, under the store's shared lock (the read and
// write calls that may run alongside others on one store).
template <typename F>
auto Shared(StoreBox& b, F&& f) {
  pybind11::gil_scoped_release nogil;
  std::shared_lock lock(b.mu);
  return f(b.Get());
}

struct WriterBox {
  std::mutex mu;
  std::shared_ptr<StoreBox> owner;
  std::optional<RecordWriter> writer;
  std::string experiment_id, scope;
  // Column names already resolved, by the identity of an interned Python str
  // (a reference is held, so the pointer stays valid). `cursor` remembers
  // where the previous cell was found: rows usually repeat their key order.
  std::vector<std::pair<PyObject*, uint32_t>> keys;
  size_t cursor = 0;

  RecordWriter& Get() {
    if (!writer) {
      throw StatusError(Status::InvalidArgument(
          "record writer of scope \"" + scope + "\" of experiment " + experiment_id + " is closed"));
    }
    return *writer;
  }
};

// Closes every open writer of `box` (call with box->mu held exclusively).
// Returns the first error.
Status CloseWriters(StoreBox& box);

void RegisterStore(pybind11::module_& m);
void RegisterWriter(pybind11::module_& m);
void RegisterReads(pybind11::module_& m);

// Opens the writer of (id, scope) on `box` (defined with the writer binding).
std::shared_ptr<WriterBox> OpenWriter(const std::shared_ptr<StoreBox>& box, const std::string& id,
                                      const std::string& scope, const RecordOptions& options);

}  // namespace labstore::python

#endif  // LABSTORE_PYTHON_STORE_BOX_H_
