// Records as machinable's JSON lines: FormatJsonLine, WriteJsonLines and
// ToJsonLines (labstore/record_reader.h).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "json/py_json.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk_scanner.h"
#include "record/read.h"
#include "record/text_format.h"
#include "record/value_json.h"
#include "util/return_if_error.h"
#include "util/text_buffer.h"
#include "util/thread_spare.h"
#include "util/time_format.h"

namespace labstore {
namespace {

using internal::kTimestampKey;

// Whether json.dumps (ensure_ascii) writes `s` as it is between quotes.
bool IsPlainAscii(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

// The JSON lines of decoded chunks, written straight into a TextBuffer: keys
// in sorted order with their spelling made once per chunk, numbers and
// timestamps written in place, no allocation per row once the buffer is grown.
class JsonLinesWriter {
 public:
  // Starts on `chunk`'s rows from `lo`; the chunk must outlive the Append calls.
  void Start(const internal::DecodedChunk& chunk, uint32_t lo) {
    ch_ = &chunk;
    keys_.clear();
    keys_.push_back({kTimestampKey, -1, {}});
    for (size_t c = 0; c < chunk.columns.size(); ++c) {
      keys_.push_back({chunk.columns[c].name, static_cast<int>(c), {}});
    }
    std::sort(keys_.begin(), keys_.end(), [](const Key& a, const Key& b) { return a.name < b.name; });
    for (Key& k : keys_) {
      k.spelling = ", ";
      internal::AppendPyString(&k.spelling, k.name, true);
      k.spelling += ": ";
    }
    internal::StartCursor(chunk, lo, &cursor_);
  }

  // Appends rows [from, to) (continuing from the last row appended) to `out`.
  void Append(uint32_t from, uint32_t to, internal::TextBuffer* out) {
    const internal::DecodedChunk& ch = *ch_;
    for (uint32_t r = from; r < to; ++r) {
      out->Push('{');
      size_t skip = 2;  // no ", " before the first key
      for (const Key& k : keys_) {
        std::string_view key(k.spelling.data() + skip, k.spelling.size() - skip);
        if (k.column < 0) {
          char* p = out->Room(key.size() + internal::IsoFormatter::kMaxSize + 2);
          p = Put(p, key);
          *p++ = '"';
          p = iso_.Write(p, Timestamp{ch.micros[r], ch.utc_offsets[r]});
          *p++ = '"';
          out->Advance(p);
          skip = 0;
          continue;
        }
        const internal::DecodedColumn& col = ch.columns[k.column];
        if (!col.Present(r)) continue;
        skip = 0;
        if (!col.Valid(r)) {
          char* p = out->Room(key.size() + 4);
          out->Advance(Put(Put(p, key), "null"));
          continue;
        }
        uint32_t i = cursor_[k.column]++;
        switch (col.type) {
          case ValueType::kInt64: {
            char* p = Put(out->Room(key.size() + internal::kMaxPyIntSize), key);
            out->Advance(internal::WritePyInt(p, col.ints[i]));
            break;
          }
          case ValueType::kDouble: {
            if (col.IntAt(i)) {  // an int logged into a double column keeps its spelling
              char* p = Put(out->Room(key.size() + internal::kMaxPyIntSize), key);
              out->Advance(internal::WritePyInt(p, col.ints[i]));
              break;
            }
            char* p = Put(out->Room(key.size() + internal::kMaxPyFloatSize), key);
            out->Advance(internal::WritePyFloat(p, col.DoubleAt(i)));
            break;
          }
          case ValueType::kBool: {
            char* p = Put(out->Room(key.size() + 5), key);
            out->Advance(Put(p, col.BoolAt(i) ? std::string_view("true") : std::string_view("false")));
            break;
          }
          case ValueType::kString: {
            std::string_view text = col.StringAt(i);
            if (IsPlainAscii(text)) {
              char* p = Put(out->Room(key.size() + text.size() + 2), key);
              *p++ = '"';
              p = Put(p, text);
              *p++ = '"';
              out->Advance(p);
            } else {
              scratch_.assign(key);
              internal::AppendPyString(&scratch_, text, true);
              out->Append(scratch_);
            }
            break;
          }
          case ValueType::kJson:
            scratch_.assign(key);
            internal::AppendJsonLinesValue(&scratch_, col.Get(i));
            out->Append(scratch_);
            break;
          case ValueType::kNull:
            out->Append(key);
            out->Append("null");
            break;
        }
      }
      char* p = out->Room(2);
      p[0] = '}';
      p[1] = '\n';
      out->Advance(p + 2);
    }
  }

 private:
  struct Key {
    std::string_view name;
    int column;            // -1: the timestamp
    std::string spelling;  // ", " "name": with the JSON spelling of the name
  };

  static char* Put(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }

  const internal::DecodedChunk* ch_ = nullptr;
  std::vector<Key> keys_;
  std::vector<uint32_t> cursor_;
  internal::IsoFormatter iso_;
  std::string scratch_;
};

}  // namespace

std::string FormatJsonLine(const Row& row) {
  std::vector<std::pair<std::string_view, const Value*>> keys;
  keys.emplace_back(kTimestampKey, nullptr);
  for (const auto& [name, value] : row.cells) keys.emplace_back(name, &value);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  internal::IsoFormatter iso;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ", ";
    internal::AppendPyString(&out, keys[i].first, true);
    out += ": ";
    if (keys[i].second == nullptr) {
      out.push_back('"');
      iso.Append(&out, row.timestamp);
      out.push_back('"');
    } else {
      internal::AppendJsonLinesValue(&out, *keys[i].second);
    }
  }
  out += "}";
  return out;
}

Status WriteJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope, const TextSink& sink,
                      const RowRange& range) {
  // Text goes to the sink in pieces of about this many bytes: large enough
  // for few, large writes, small enough to stay in the CPU's cache.
  constexpr size_t kPieceBytes = 256 << 10;
  constexpr uint32_t kRowsPerCheck = 256;  // rows formatted between checks of the size
  internal::ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*internal::StateOf(store), experiment_id, scope, range));
  internal::ThreadSpare<internal::TextBuffer> text;  // the thread's, reused between calls
  text->Clear();
  JsonLinesWriter writer;
  while (scan.Next()) {
    writer.Start(scan.chunk(), scan.lo());
    for (uint32_t r = scan.lo(); r < scan.hi();) {
      uint32_t to = std::min(scan.hi(), r + kRowsPerCheck);
      writer.Append(r, to, &*text);
      r = to;
      if (text->size() >= kPieceBytes) {
        LABSTORE_RETURN_IF_ERROR(sink(text->view()));
        text->Clear();
      }
    }
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  if (text->size() != 0) LABSTORE_RETURN_IF_ERROR(sink(text->view()));
  return Status::OK();
}

Result<std::string> ToJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope,
                                const RowRange& range) {
  return internal::CollectText(WriteJsonLines, store, experiment_id, scope, range);
}

}  // namespace labstore
