// Which RecordWriters are open in this process. Private to lib/.
#ifndef LABSTORE_LIB_RECORD_OPEN_WRITERS_H_
#define LABSTORE_LIB_RECORD_OPEN_WRITERS_H_

#include <optional>
#include <string>
#include <string_view>

#include "store/store_state.h"

namespace labstore::internal {

// The scope of a RecordWriter of `st` that is open on the experiment with
// this key, if any (one of them when several are). Thread-safe.
std::optional<std::string> OpenRecordScope(const StoreState* st, std::string_view experiment_key);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_OPEN_WRITERS_H_
