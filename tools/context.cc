#include "context.h"

#include <filesystem>

namespace labstore::tool {

void Check(const Status& s) {
  if (s.ok()) return;
  int code = kExitFailure;
  throw CommandError(s.message(), code);
}

Store Context::OpenWriter() const { return Check(Store::Open({}, store_dir)); }

Store Context::OpenReader() const {
  std::error_code ec;
  if (!std::filesystem::exists(store_dir, ec)) {
    throw CommandError("no store at " + store_dir + " (use --store DIR or set LABSTORE_STORE)", kExitFailure);
  }
  return Check(Store::Open({.create_if_missing = false, .read_only = true}, store_dir));
}

}  // namespace labstore::tool
