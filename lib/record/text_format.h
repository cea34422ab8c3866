// What the record text formats share (json_lines.cc, csv.cc, table.cc): the
// timestamp's column name and collecting a streamed text into one string.
// Private to lib/record.
#ifndef LABSTORE_LIB_RECORD_TEXT_FORMAT_H_
#define LABSTORE_LIB_RECORD_TEXT_FORMAT_H_

#include <string>
#include <string_view>

#include "labstore/record_reader.h"
#include "labstore/status.h"

namespace labstore::internal {

// The key machinable gives a row's timestamp in its JSON lines.
inline constexpr std::string_view kTimestampKey = "__timestamp";

// Runs a streaming writer (WriteJsonLines, WriteCsv) into one string.
template <typename Writer>
Result<std::string> CollectText(Writer write, const Store& store, std::string_view experiment_id,
                                std::string_view scope, const RowRange& range) {
  std::string out;
  Status s = write(
      store, experiment_id, scope,
      [&](std::string_view piece) {
        out += piece;
        return Status::OK();
      },
      range);
  if (!s.ok()) return s;
  return out;
}

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_TEXT_FORMAT_H_
