// Canonical JSON: the one spelling of a config that names its definition.
//
// canonical := value
//   object  := '{' (string ':' value (',' string ':' value)*)? '}'   keys sorted by
//              UTF-8 bytes; keys ending in '_' dropped at every depth
//   array   := '[' (value (',' value)*)? ']'
//   number  := an integral value in [-2^63, 2^63) as a plain integer ("2" for 2
//              and 2.0, "0" for -0.0); any other as the shortest round-trip
//              double (std::to_chars)
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

// Parses `text` (strict JSON), checks that it is of `kind`, and returns it
// minified with its key order kept. Errors: InvalidArgument naming `what`
// (e.g. "config") and the parse error or the kind rule.
Result<std::string> MinifyJson(std::string_view text, JsonKind kind, std::string_view what);

// The canonical form (above) of valid JSON text of `kind`. Errors: InvalidArgument.
Result<std::string> CanonicalJson(std::string_view text, std::string_view what, JsonKind kind = JsonKind::kAny);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_JSON_CANONICAL_H_
