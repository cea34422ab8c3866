#include "data/path.h"

#include <fmt/format.h>

#include "labstore/data.h"

namespace labstore::internal {

std::string QuotePath(std::string_view path) {
  std::string out = "\"";
  for (unsigned char c : path) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));  // printable ASCII and UTF-8 as is
    }
  }
  out.push_back('"');
  return out;
}

Status ValidatePath(std::string_view path) {
  auto bad = [&](std::string_view rule) {
    return Status::InvalidArgument(fmt::format("invalid path {}", QuotePath(path)), rule);
  };
  if (path.empty()) return bad("a path may not be empty");
  if (path.size() > kMaxPathBytes) {
    return bad(fmt::format("a path may have at most {} bytes, this one has {}", kMaxPathBytes, path.size()));
  }
  if (path.find('\0') != std::string_view::npos) return bad("a path may not contain a NUL byte");
  if (path.front() == '/') return bad("a path must be relative, not start with '/'");
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view segment = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) return bad("a path may not have an empty segment (\"//\" or a trailing '/')");
    if (segment == "..") return bad("a path may not have a \"..\" segment");
    if (segment == ".") return bad("a path may not have a \".\" segment");
    if (segment.size() > kMaxSegmentBytes) {
      return bad(fmt::format("a path segment may have at most {} bytes", kMaxSegmentBytes));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::OK();
}

}  // namespace labstore::internal
