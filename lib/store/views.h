// The read-only views a store handle keeps of the parts it does not write
// (doc/many-writers.md, "Reading the union"): StoreState::views, ascending by
// part number, every part but the handle's own: the main database (when the
// handle writes a shard) and every shard whose creation finished (SHARD).
//
// A handle sees other processes' writes as of its Open or its last Refresh:
// RefreshViews lists shards/ again, keeps a view whose database did not change
// (its DirStamp), reopens one that did, adds new shards and drops removed
// ones. A view replaced while readers of the handle may hold iterators on it
// is kept aside (StoreState::retired_views) until no handle is open.
#ifndef LABSTORE_LIB_STORE_VIEWS_H_
#define LABSTORE_LIB_STORE_VIEWS_H_

#include <vector>

#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

// The numbers of the parts other than st.part that a view is kept of,
// ascending. Errors: IOError (shards/ cannot be listed).
Result<std::vector<int>> OtherParts(const StoreState& st);

// Opens a view of every other part into st->views (which must be empty). A
// part that cannot be opened because it is incomplete or gone is skipped.
// Errors: Corruption, IOError (naming the part's directory).
Status OpenViews(StoreState* st);

// Brings st->views up to date (see above). Errors: as OpenViews.
Status RefreshViews(StoreState* st);

// Closes every view (retired ones included). Errors: IOError (the first).
Status CloseViews(StoreState* st);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_VIEWS_H_
