// Fuzz target: CanonicalJson and MinifyJson (lib/json/canonical.h). The first
// byte picks the kind, the rest is the text. Both accept the same texts; the
// canonical form is canonical (idempotent) and valid JSON; minifying keeps
// the value (same canonical form) and is idempotent.
#include <cstdint>

#include "fuzz_check.h"
#include "json/canonical.h"

using labstore::fuzz::Check;
using labstore::internal::CanonicalJson;
using labstore::internal::JsonKind;
using labstore::internal::MinifyJson;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const JsonKind kind = static_cast<JsonKind>(data[0] % 3);
  std::string_view text = labstore::fuzz::AsText(data + 1, size - 1);
  auto canonical = CanonicalJson(text, "config", kind);
  auto minified = MinifyJson(text, kind, "config");
  Check(canonical.ok() == minified.ok(), "CanonicalJson and MinifyJson disagree on validity", text);
  if (!canonical.ok()) {
    Check(canonical.status().IsInvalidArgument(), "an error is not InvalidArgument", canonical.status().ToString());
    Check(canonical.status().message().find("config") != std::string::npos, "the error does not name the input",
          canonical.status().message());
    return 0;
  }
  auto twice = CanonicalJson(*canonical, "config", kind);
  Check(twice.ok(), "the canonical form is not valid JSON", *canonical);
  Check(*twice == *canonical, "the canonical form is not canonical", *canonical);
  auto minified_twice = MinifyJson(*minified, kind, "config");
  Check(minified_twice.ok() && *minified_twice == *minified, "minifying is not idempotent", *minified);
  auto of_minified = CanonicalJson(*minified, "config", kind);
  Check(of_minified.ok() && *of_minified == *canonical, "minifying changed the value", *minified);
  return 0;
}
