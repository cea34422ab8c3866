// Python's str() and repr() of the values json.loads gives, as Python 3
// prints them (for the tables machinable's Records.as_table() prints).
#ifndef LABSTORE_LIB_JSON_PY_REPR_H_
#define LABSTORE_LIB_JSON_PY_REPR_H_

#include <string>

#include "json/py_json.h"

namespace labstore::internal {

// Python's str(float): repr with nan/inf spelled as Python prints them.
void AppendPyStr(std::string* out, double d);

// Python's repr() of a JSON value read by json.loads: None, True, False,
// strings in single quotes (double when they hold a ' and no "), lists and
// dicts with ", " and ": ".
void AppendPyRepr(std::string* out, const PyJson& j);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_JSON_PY_REPR_H_
