// Rules for module names, group patterns and other names users give.
#ifndef LABSTORE_LIB_EXPERIMENT_NAMING_H_
#define LABSTORE_LIB_EXPERIMENT_NAMING_H_

#include <string>
#include <string_view>

#include "labstore/status.h"
#include "labstore/time.h"

namespace labstore::internal {

// Letters, digits, '_', '.', '-', '/'; not empty; not starting with '.' or '/';
// at most kMaxModuleLength bytes. Errors: InvalidArgument naming the module.
Status ValidateModule(std::string_view module);

// Not empty, no NUL, at most kMaxNameLength bytes. `what` names the field.
Status ValidateName(std::string_view name, std::string_view what);

// A lineage: a JSON array of strings, at most kMaxConfigBytes. Returns it
// minified; empty text stands for `default_lineage`. Errors: InvalidArgument
// naming `what`.
Result<std::string> NormalizeLineage(std::string_view lineage, std::string_view default_lineage,
                                     std::string_view what);

struct ResolvedGroup {
  std::string pattern;  // leading '/' removed
  std::string path;     // strftime(pattern) in local time at `at`
};

// Resolves a strftime group pattern as machinable does (leading '/' stripped,
// local time, C locale names). Errors: InvalidArgument (empty, too long, NUL,
// or a result that is empty).
Result<ResolvedGroup> ResolveGroup(std::string_view pattern, Timestamp at);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_NAMING_H_
