// Deferred writes: files saved on an experiment before it was stored.
#ifndef LABSTORE_LIB_DATA_PENDING_H_
#define LABSTORE_LIB_DATA_PENDING_H_

#include "labstore/experiment.h"
#include "labstore/status.h"
#include "labstore/store.h"

namespace labstore::internal {

// Writes experiment.pending_files (stored experiment) in order and clears the
// list; on an error the files written so far are dropped from the list and
// the rest stay for a later Store::Commit. Called by Store::Commit without
// StoreState::write_mu held. Errors: as SaveFile.
Status WritePendingFiles(Store& store, Experiment& experiment);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_PENDING_H_
