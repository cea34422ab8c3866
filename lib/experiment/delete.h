// Deleted experiments (Store::Delete). Private to lib/.
//
//   meta key := "deleted/" id(6)      value := "" (empty)
//
// Written in the batch that deletes the experiment, and never removed: the
// next Export into a directory holding the experiment's folder learns from it
// that the folder (and its storage.sqlite rows) are to go. An id stored again
// later keeps the key; export then tells the two apart by experiment.json
// (lib/export/export.cc). Pinned by test/experiment/delete_test.cc.
#ifndef LABSTORE_LIB_EXPERIMENT_DELETE_H_
#define LABSTORE_LIB_EXPERIMENT_DELETE_H_

#include <string>
#include <string_view>
#include <vector>

#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

std::string DeletedKey(std::string_view id);

// Every id ever deleted from the store, in id order. Errors: IOError.
Result<std::vector<std::string>> DeletedIds(const StoreState& st);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_DELETE_H_
