// Garbage collection of contents: refcounts recounted from the file entries,
// contents without files and abandoned uploads removed, space returned.
#ifndef LABSTORE_LIB_DATA_CONTENT_GC_H_
#define LABSTORE_LIB_DATA_CONTENT_GC_H_

#include "labstore/data.h"
#include "store/store_state.h"

namespace labstore::internal {

// Errors: IOError.
Result<GarbageCollectStats> CollectGarbage(StoreState& st);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_GC_H_
