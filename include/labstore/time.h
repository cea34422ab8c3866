// labstore/time.h — instants as machinable records them.
//
// machinable writes status markers and record timestamps as local time with
// its UTC offset ("2023-02-24T10:00:04.567900-05:00"); labstore keeps both the
// instant and the offset so that an export can reproduce those bytes.
//
//   labstore::Timestamp t = labstore::Now();
//   std::string s = labstore::FormatIso(t);   // "2026-11-26T08:49:02.123456+00:00"
#ifndef LABSTORE_TIME_H_
#define LABSTORE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "labstore/status.h"

namespace labstore {

struct Timestamp {
  int64_t unix_micros = 0;         // microseconds since 1970-01-01T00:00:00Z
  int32_t utc_offset_seconds = 0;  // local offset east of UTC at that instant

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// The current instant with the local UTC offset (TZ honoured). Thread-safe.
// Errors: none.
Timestamp Now();

// Python's datetime.isoformat() of the local time: "YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM";
// the fraction is omitted when the microsecond is 0, as machinable writes it.
// Errors: none.
std::string FormatIso(Timestamp t);

// Parses what FormatIso writes (and the forms arrow accepts with an offset or a
// trailing 'Z'). Errors: InvalidArgument naming the text.
Result<Timestamp> ParseIso(std::string_view text);

}  // namespace labstore

#endif  // LABSTORE_TIME_H_
