// Canonical JSON: the one spelling of a config that names its definition.
//
// Input is JSON as Python's json module reads it (ParsePyJson): strict JSON
// plus NaN, Infinity and -Infinity, integers of any size, lone surrogates.
//
// canonical := value
//   object  := '{' (string ':' value (',' string ':' value)*)? '}'   keys sorted by
//              UTF-8 bytes; keys ending in '_' dropped at every depth; a repeated
//              key counts once, with its last value
//   array   := '[' (value (',' value)*)? ']'
//   number  := an integral value in [-2^63, 2^63) as a plain integer ("2" for 2
//              and 2.0, "0" for -0.0); "NaN", "Infinity", "-Infinity"; any other
//              as the shortest round-trip double (std::to_chars)
//   string  := JSON string, only '"', '\\' and U+0000-U+001F escaped
//   true | false | null
// No whitespace. Pinned by test/json/canonical_test.cc.
#ifndef LABSTORE_LIB_JSON_CANONICAL_H_
#define LABSTORE_LIB_JSON_CANONICAL_H_

#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

enum class JsonKind { kAny, kObject, kArray };

// Parses `text`, checks that it is of `kind`, and returns it minified
// (separators "," and ":", key order kept, non-ASCII raw, floats as Python's
// repr). Errors: InvalidArgument naming `what` (e.g. "config") and the parse
// error or the kind rule.
Result<std::string> MinifyJson(std::string_view text, JsonKind kind, std::string_view what);

// The canonical form (above) of `text` of `kind`. Errors: as MinifyJson.
Result<std::string> CanonicalJson(std::string_view text, std::string_view what, JsonKind kind = JsonKind::kAny);

// Both forms from one parse.
struct JsonForms {
  std::string minified;
  std::string canonical;
};
Result<JsonForms> MinifyAndCanonicalize(std::string_view text, JsonKind kind, std::string_view what);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_JSON_CANONICAL_H_
