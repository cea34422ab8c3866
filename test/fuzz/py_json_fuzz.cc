// Fuzz target: ParsePyJson (lib/json/py_json.h), the importer's JSON parser.
// Any input: a value or an InvalidArgument naming the input. A parsed value
// dumped in each dialect parses again to a value with the same dump.
#include <cstdint>

#include "fuzz_check.h"
#include "json/py_json.h"

using labstore::fuzz::Check;
using labstore::internal::DumpPyJson;
using labstore::internal::ParsePyJson;
using labstore::internal::PyDialect;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto v = ParsePyJson(labstore::fuzz::AsText(data, size), "fuzz input");
  if (!v.ok()) {
    Check(v.status().IsInvalidArgument(), "a parse error is not InvalidArgument", v.status().ToString());
    Check(v.status().message().starts_with("invalid JSON in fuzz input: "), "the error does not name the input",
          v.status().message());
    return 0;
  }
  for (PyDialect dialect : {PyDialect::kFile, PyDialect::kJsonl, PyDialect::kSql}) {
    std::string dump = DumpPyJson(*v, dialect);
    auto again = ParsePyJson(dump, "dump");
    Check(again.ok(), "a dump does not parse", dump);
    Check(DumpPyJson(*again, dialect) == dump, "a dump does not survive parse -> dump", dump);
  }
  return 0;
}
