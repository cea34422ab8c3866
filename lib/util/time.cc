#include "labstore/time.h"

#include <sys/time.h>

#include <cstdio>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "util/time_format.h"

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
  std::string out;
  internal::IsoFormatter().Append(&out, t);
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

namespace internal {
namespace {

// `v` in decimal, zero-padded to `width` characters counting a '-' (as fmt's
// "{:0width}" writes it).
char* WritePadded(char* p, int64_t v, int width) {
  if (v >= 0 && v < 100 && width == 2) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
    return p + 2;
  }
  char digits[24];
  int n = 0;
  uint64_t mag = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    digits[n++] = static_cast<char>('0' + mag % 10);
    mag /= 10;
  } while (mag != 0);
  if (v < 0) {
    *p++ = '-';
    --width;
  }
  for (int i = n; i < width; ++i) *p++ = '0';
  while (n > 0) *p++ = digits[--n];
  return p;
}

}  // namespace

void IsoFormatter::SetSecond(int64_t local_second) {
  second_ = local_second;
  int64_t day = FloorDiv(local_second, 86400);
  int64_t of_day = local_second - day * 86400;
  if (day != day_) {
    day_ = day;
    // Civil date of a day count (proleptic Gregorian, as gmtime_r): the
    // algorithm of H. Hinnant's "chrono-compatible low-level date algorithms".
    int64_t z = day + 719468;
    int64_t era = FloorDiv(z, 146097);
    int64_t doe = z - era * 146097;                                 // [0, 146096]
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
    int64_t mp = (5 * doy + 2) / 153;                                // [0, 11], March first
    int64_t mday = doy - (153 * mp + 2) / 5 + 1;
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char* p = WritePadded(date_, year, 4);
    *p++ = '-';
    p = WritePadded(p, month, 2);
    *p++ = '-';
    p = WritePadded(p, mday, 2);
    *p++ = 'T';
    date_size_ = static_cast<uint8_t>(p - date_);
  }
  std::memcpy(prefix_, date_, sizeof date_);
  char* p = prefix_ + date_size_;
  p = WritePadded(p, of_day / 3600, 2);
  *p++ = ':';
  p = WritePadded(p, of_day / 60 % 60, 2);
  *p++ = ':';
  p = WritePadded(p, of_day % 60, 2);
  prefix_size_ = static_cast<uint8_t>(p - prefix_);
}

void IsoFormatter::SetOffset(int32_t offset_seconds) {
  offset_ = offset_seconds;
  have_offset_ = true;
  int64_t off = offset_seconds;
  char* p = suffix_;
  *p++ = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  p = WritePadded(p, off / 3600, 2);
  *p++ = ':';
  p = WritePadded(p, off / 60 % 60, 2);
  if (off % 60 != 0) {
    *p++ = ':';
    p = WritePadded(p, off % 60, 2);
  }
  suffix_size_ = static_cast<uint8_t>(p - suffix_);
}

char* IsoFormatter::Write(char* p, Timestamp t) {
  int64_t local = t.unix_micros + int64_t{t.utc_offset_seconds} * 1000000;
  int64_t second = FloorDiv(local, 1000000);
  int64_t micros = local - second * 1000000;
  if (second != second_) [[unlikely]] SetSecond(second);
  if (t.utc_offset_seconds != offset_ || !have_offset_) [[unlikely]] SetOffset(t.utc_offset_seconds);
  std::memcpy(p, prefix_, sizeof prefix_);
  p += prefix_size_;
  if (micros != 0) {
    p[0] = '.';
    for (int i = 6; i >= 1; --i) {
      p[i] = static_cast<char>('0' + micros % 10);
      micros /= 10;
    }
    p += 7;
  }
  std::memcpy(p, suffix_, sizeof suffix_);
  return p + suffix_size_;
}

void IsoFormatter::Append(std::string* out, Timestamp t) {
  char buf[kMaxSize];
  out->append(buf, Write(buf, t));
}

}  // namespace internal

}  // namespace labstore
