#include "labstore/time.h"

#include <sys/time.h>

#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace labstore {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

Timestamp Now() {
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  time_t secs = tv.tv_sec;
  struct tm local;
  localtime_r(&secs, &local);
  return Timestamp{int64_t{tv.tv_sec} * 1000000 + tv.tv_usec, static_cast<int32_t>(local.tm_gmtoff)};
}

std::string FormatIso(Timestamp t) {
  int64_t local_micros = t.unix_micros + int64_t{t.utc_offset_seconds} * 1000000;
  int64_t secs = FloorDiv(local_micros, 1000000);
  int64_t micros = local_micros - secs * 1000000;
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&tt, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (micros != 0) out += fmt::format(".{:06}", micros);
  int32_t off = t.utc_offset_seconds;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  out += fmt::format("{}{:02}:{:02}", sign, off / 3600, (off / 60) % 60);
  if (off % 60 != 0) out += fmt::format(":{:02}", off % 60);
  return out;
}

Result<Timestamp> ParseIso(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format("invalid timestamp \"{}\"", text),
                                   "expected YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM");
  };
  auto digits = [&](size_t pos, size_t n, int* out) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int year, mon, day, hour, min, sec;
  if (!digits(0, 4, &year) || text.size() < 19 || text[4] != '-' || !digits(5, 2, &mon) || text[7] != '-' ||
      !digits(8, 2, &day) || (text[10] != 'T' && text[10] != ' ') || !digits(11, 2, &hour) || text[13] != ':' ||
      !digits(14, 2, &min) || text[16] != ':' || !digits(17, 2, &sec)) {
    return bad();
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) return bad();
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return bad();
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  int32_t offset = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '-' ? -1 : 1;
    int oh, om, os = 0;
    if (!digits(pos + 1, 2, &oh) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(pos + 4, 2, &om)) {
      return bad();
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(pos + 1, 2, &os)) return bad();
      pos += 3;
    }
    offset = sign * (oh * 3600 + om * 60 + os);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  struct tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  int64_t local_secs = timegm(&tm);
  return Timestamp{(local_secs - offset) * 1000000 + micros, offset};
}

}  // namespace labstore
