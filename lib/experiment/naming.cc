#include "experiment/naming.h"

#include <ctime>

#include <fmt/format.h>

#include "json/py_json.h"
#include "labstore/experiment.h"
#include "util/return_if_error.h"

namespace labstore::internal {

Status ValidateModule(std::string_view module) {
  auto bad = [&](std::string_view rule) {
    return Status::InvalidArgument(fmt::format("invalid module name \"{}\"", module), rule);
  };
  if (module.empty()) return bad("a module name may not be empty");
  if (module.size() > kMaxModuleLength) return bad(fmt::format("a module name is at most {} bytes", kMaxModuleLength));
  if (module.front() == '.' || module.front() == '/') return bad("a module name may not start with '.' or '/'");
  for (char c : module) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-' || c == '/';
    if (!ok) return bad("a module name holds only letters, digits, '_', '.', '-' and '/'");
  }
  return Status::OK();
}

Status ValidateName(std::string_view name, std::string_view what) {
  if (name.empty()) return Status::InvalidArgument(fmt::format("invalid {} \"\"", what), "it may not be empty");
  if (name.size() > kMaxNameLength) {
    return Status::InvalidArgument(fmt::format("invalid {} \"{}...\"", what, name.substr(0, 40)),
                                   fmt::format("it is at most {} bytes", kMaxNameLength));
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("invalid {}", what), "it may not contain NUL");
  }
  return Status::OK();
}

Result<std::string> NormalizeLineage(std::string_view lineage, std::string_view default_lineage,
                                     std::string_view what) {
  if (lineage.empty()) lineage = default_lineage;
  if (lineage.size() > kMaxConfigBytes) {
    return Status::InvalidArgument(fmt::format("{} of {} bytes is too large", what, lineage.size()),
                                   fmt::format("the limit is {} bytes", kMaxConfigBytes));
  }
  auto v = ParsePyJson(lineage, what);
  if (!v.ok()) return v.status();
  bool strings = v->is_array();
  for (size_t i = 0; strings && i < v->items().size(); ++i) strings = v->items()[i].is_string();
  if (!strings) {
    return Status::InvalidArgument(fmt::format("invalid {} {:.60}", what, lineage),
                                   "it must be a JSON array of strings");
  }
  return DumpPyJson(*v, PyDialect::kCompact);
}

Result<ResolvedGroup> ResolveGroup(std::string_view pattern, Timestamp at) {
  while (!pattern.empty() && pattern.front() == '/') pattern.remove_prefix(1);
  LABSTORE_RETURN_IF_ERROR(ValidateName(pattern, "group pattern"));
  time_t secs = static_cast<time_t>(at.unix_micros / 1000000);
  struct tm local;
  localtime_r(&secs, &local);
  std::string fmt_str(pattern);
  char buf[4 * kMaxNameLength];
  size_t n = std::strftime(buf, sizeof buf, fmt_str.c_str(), &local);
  if (n == 0) {
    return Status::InvalidArgument(fmt::format("invalid group pattern \"{}\"", pattern),
                                   "it resolves to an empty or overlong path");
  }
  return ResolvedGroup{fmt_str, std::string(buf, n)};
}

}  // namespace labstore::internal
