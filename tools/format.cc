#include "format.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace labstore::tool {
namespace {

// Display width of UTF-8 text: one column per code point (good enough for
// the names and numbers the tables show).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

Table::Table(std::vector<std::string> header, std::vector<bool> right)
    : header_(std::move(header)), right_(std::move(right)) {
  right_.resize(header_.size(), false);
}

void Table::Add(std::vector<std::string> row) {
  row.resize(header_.size());
  rows_.push_back(std::move(row));
}

std::string Table::Render() const {
  std::vector<size_t> widths(header_.size());
  for (size_t c = 0; c < header_.size(); ++c) {
    widths[c] = Width(header_[c]);
    for (const auto& r : rows_) widths[c] = std::max(widths[c], Width(r[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < cells.size(); ++c) {
      size_t pad = widths[c] - Width(cells[c]);
      if (c) l += "  ";
      if (right_[c]) l.append(pad, ' ');
      l += cells[c];
      if (!right_[c] && c + 1 < cells.size()) l.append(pad, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header_);
  std::vector<std::string> dashes;
  for (size_t w : widths) dashes.emplace_back(w, '-');
  line(dashes);
  for (const auto& r : rows_) line(r);
  return out;
}

std::string Ago(int64_t then_micros, int64_t now_micros) {
  int64_t d = (now_micros - then_micros) / 1000000;
  bool future = d < 0;
  if (future) d = -d;
  if (d < 5) return "just now";
  auto unit = [&](int64_t n, const char* name) {
    std::string s = fmt::format("{} {}{}", n, name, n == 1 ? "" : "s");
    return future ? "in " + s : s + " ago";
  };
  if (d < 60) return unit(d, "second");
  if (d < 3600) return unit(d / 60, "minute");
  if (d < 86400) return unit(d / 3600, "hour");
  if (d < 86400 * 60) return unit(d / 86400, "day");
  if (d < 86400 * 730) return unit(d / (86400 * 30), "month");
  return unit(d / (86400 * 365), "year");
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20) out += fmt::format("\\u{:04x}", u); else out.push_back(c);
    }
  }
  return out + "\"";
}

std::string Bytes(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int i = -1;
  while (v >= 1024 && i < 3) { v /= 1024; ++i; }
  return fmt::format("{:.1f} {}", v, units[i]);
}

bool StderrIsTerminal() { return ::isatty(2) == 1; }
bool StdoutIsTerminal() { return ::isatty(1) == 1; }

}  // namespace labstore::tool
