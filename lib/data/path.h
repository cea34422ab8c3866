// Relative paths of data files: the rules of labstore/data.h, checked, never
// rewritten.
//
//   path    := segment ('/' segment)*          at most kMaxPathBytes bytes
//   segment := 1..kMaxSegmentBytes bytes, none of them '/' or NUL, not "." or ".."
#ifndef LABSTORE_LIB_DATA_PATH_H_
#define LABSTORE_LIB_DATA_PATH_H_

#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

// OK or InvalidArgument: `invalid path "a//b": empty segment`.
Status ValidatePath(std::string_view path);

// `path` quoted for a message, with bytes outside printable ASCII as \xNN.
std::string QuotePath(std::string_view path);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_PATH_H_
