// JSON as Python's json module writes it (spec §3, "Serialization primitives").
//
// Input: JSON text (RFC 8259) plus Python's NaN, Infinity and -Infinity. As
// json.loads does, a repeated object key keeps its first position and its last
// value; integers keep every digit ("-0" is 0); other numbers become doubles
// (out of range: ±Infinity or ±0.0).
//
// Output, json.dumps(value, ...) with the default separators ", " and ": ":
//   kFile   ensure_ascii=False           keys in input order, raw UTF-8
//   kJsonl  sort_keys=True, ensure_ascii keys sorted by code point, \uXXXX escapes
// floats as Python's repr: shortest round-trip digits, fixed notation for
// decimal exponents -4 <= e < 16 with ".0" on integral values, otherwise
// d[.ddd]e±XX; NaN / Infinity / -Infinity bare.
#ifndef LABSTORE_LIB_DATA_PY_JSON_H_
#define LABSTORE_LIB_DATA_PY_JSON_H_

#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

enum class PyJsonDialect { kFile, kJsonl };

// Nesting deeper than this is refused (Python's own limit is near 1000).
inline constexpr int kMaxJsonDepth = 512;

// `text` re-written in `dialect`. Errors: InvalidArgument naming `what` and the
// byte offset of the problem (invalid JSON or UTF-8, a lone surrogate escape).
Result<std::string> ToPythonJson(std::string_view text, PyJsonDialect dialect, std::string_view what);

// OK if `text` is one JSON value as accepted above. Errors as ToPythonJson.
Status CheckPythonJson(std::string_view text, std::string_view what);

// Python's repr(float(d)).
std::string PythonFloatRepr(double d);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_PY_JSON_H_
