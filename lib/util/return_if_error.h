// LABSTORE_RETURN_IF_ERROR: return early on a non-ok Status. Private to lib/
// (and the tests and bench/ that build on it); not part of the installed API.
#ifndef LABSTORE_LIB_UTIL_RETURN_IF_ERROR_H_
#define LABSTORE_LIB_UTIL_RETURN_IF_ERROR_H_

#include "labstore/status.h"

#define LABSTORE_RETURN_IF_ERROR(expr)        \
  do {                                        \
    ::labstore::Status _labstore_s = (expr);  \
    if (!_labstore_s.ok()) return _labstore_s; \
  } while (0)

#endif  // LABSTORE_LIB_UTIL_RETURN_IF_ERROR_H_
