#include "data/file_limit.h"

#include <atomic>

#include <fmt/format.h>

#include "data/path.h"
#include "labstore/data.h"

namespace labstore::internal {
namespace {

std::atomic<uint64_t> limit{kMaxFileBytes};

}  // namespace

uint64_t MaxFileBytes() { return limit.load(std::memory_order_relaxed); }

Status CheckFileSize(std::string_view path, std::string_view id, uint64_t size) {
  uint64_t max = MaxFileBytes();
  if (size <= max) return Status::OK();
  return Status::InvalidArgument(
      fmt::format("file {} of experiment \"{}\" is too large at {} bytes", QuotePath(path), id, size),
      fmt::format("a file may have at most {} bytes (kMaxFileBytes)", max));
}

ScopedFileLimit::ScopedFileLimit(uint64_t new_limit) : previous_(limit.exchange(new_limit)) {}
ScopedFileLimit::~ScopedFileLimit() { limit.store(previous_); }

}  // namespace labstore::internal
