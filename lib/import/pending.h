// Imports in progress: an experiment that Import has started to write and not
// finished. Private to lib/.
//
//   meta key := "import_pending/" id(6)      value := "" (empty)
//
// Put before the experiment is committed, deleted after its last file; a key
// left by a killed import tells the next import to finish the experiment
// rather than skip it (lib/import/import.cc).
#ifndef LABSTORE_LIB_IMPORT_PENDING_H_
#define LABSTORE_LIB_IMPORT_PENDING_H_

#include <string>
#include <string_view>

#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

std::string ImportPendingKey(std::string_view id);

// Puts (pending) or deletes the key of `id`, through the WAL like the
// experiment's other writes. Errors: IOError.
Status SetImportPending(StoreState& st, std::string_view id, bool pending);

// Whether a killed import left `id` part-written, in any part of the store
// (check). Errors: IOError.
Result<bool> IsImportPending(const StoreState& st, std::string_view id);

// Whether a killed import of this part left `id` part-written: what decides
// that an import resumes it into the own part (and can clear the key).
// Errors: Busy naming the part when only another part's import left it
// pending (its process, or a merge, finishes it); IOError.
Result<bool> IsOwnImportPending(const StoreState& st, std::string_view id);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_IMPORT_PENDING_H_
