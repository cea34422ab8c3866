// Output helpers for the command: aligned tables, times as people read them,
// JSON string literals, terminal detection.
#ifndef LABSTORE_TOOLS_FORMAT_H_
#define LABSTORE_TOOLS_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace labstore::tool {

// A text table: columns padded to their widest cell; `right` marks numeric
// columns (right-aligned). The header is underlined with dashes.
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> right = {});
  void Add(std::vector<std::string> row);
  std::string Render() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> header_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// "just now", "42 seconds ago", "3 minutes ago", "2 days ago", "in 5 minutes".
std::string Ago(int64_t then_micros, int64_t now_micros);

// A JSON string literal (quotes included), UTF-8 kept, control characters escaped.
std::string JsonString(std::string_view s);

// Human byte counts: "812 B", "1.4 KiB", "3.2 GiB".
std::string Bytes(uint64_t n);

// Whether stderr / stdout is a terminal (colour and progress bars only then).
bool StderrIsTerminal();
bool StdoutIsTerminal();

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_FORMAT_H_
