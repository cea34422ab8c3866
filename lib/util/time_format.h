// IsoFormatter: FormatIso (labstore/time.h) for many instants in a row, as
// the JSON lines, CSV and SQL exports of records write them. The date, time
// of day and UTC offset of the last instant are kept, so a run of instants
// within one second costs a copy and six digits each; any other instant is
// formatted by arithmetic alone (no gmtime_r, which takes glibc's time-zone
// lock). Not thread-safe: one per thread.
//
//   IsoFormatter iso;
//   char buf[IsoFormatter::kMaxSize];
//   std::string_view s(buf, iso.Write(buf, t) - buf);
#ifndef LABSTORE_LIB_UTIL_TIME_FORMAT_H_
#define LABSTORE_LIB_UTIL_TIME_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "labstore/time.h"

namespace labstore::internal {

class IsoFormatter {
 public:
  // Bytes Write may use: a 7-character year, the fraction, and an offset of
  // up to 596523 hours (any int32 seconds), with room to copy whole caches.
  static constexpr size_t kMaxSize = 48;

  // Writes FormatIso(t) at `p` (kMaxSize bytes available); returns its end.
  char* Write(char* p, Timestamp t);
  // Appends FormatIso(t) to `out`.
  void Append(std::string* out, Timestamp t);

 private:
  void SetSecond(int64_t local_second);
  void SetOffset(int32_t offset_seconds);

  int64_t second_ = INT64_MIN;  // local second of prefix_
  int64_t day_ = INT64_MIN;     // local day of date_
  int32_t offset_ = 0;
  bool have_offset_ = false;
  uint8_t date_size_ = 0, prefix_size_ = 0, suffix_size_ = 0;
  char date_[16] = {};    // "YYYY-MM-DDT"
  char prefix_[24] = {};  // "YYYY-MM-DDTHH:MM:SS"
  char suffix_[16] = {};  // "+HH:MM" or "+HH:MM:SS"
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_TIME_FORMAT_H_
