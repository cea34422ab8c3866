// Reading records as rows: RecordReader, ReadRows and the row cursor over a
// decoded chunk that they and the text formats share.
#include "record/read.h"

#include <fmt/format.h>

#include "experiment/lookup.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk_scanner.h"
#include "record/scope.h"
#include "util/return_if_error.h"

namespace labstore {
namespace internal {

void StartCursor(const DecodedChunk& chunk, uint32_t lo, std::vector<uint32_t>* cursor) {
  cursor->assign(chunk.columns.size(), 0);
  for (size_t c = 0; c < chunk.columns.size(); ++c) {
    const DecodedColumn& col = chunk.columns[c];
    uint32_t n = 0;
    for (uint32_t r = 0; r < lo; ++r) n += col.Valid(r);
    (*cursor)[c] = n;
  }
}

void MaterializeRow(const DecodedChunk& chunk, uint32_t r, std::vector<uint32_t>* cursor, Row* row) {
  row->index = chunk.first_row + r;
  row->timestamp = Timestamp{chunk.micros[r], chunk.utc_offsets[r]};
  row->cells.clear();
  for (size_t c = 0; c < chunk.columns.size(); ++c) {
    const DecodedColumn& col = chunk.columns[c];
    if (!col.Present(r)) continue;
    if (col.Valid(r)) {
      row->cells.emplace_back(std::string(col.name), col.Get((*cursor)[c]++));
    } else {
      row->cells.emplace_back(std::string(col.name), Value());
    }
  }
}

Result<std::vector<Row>> ReadRowsOf(const StoreState& st, std::string_view id, std::string_view exp_key,
                                    std::string_view scope, const RowRange& range) {
  ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.OpenKey(st, id, exp_key, scope, range));
  std::vector<Row> rows;
  rows.reserve(scan.end() - scan.begin());
  std::vector<uint32_t> cursor;
  while (scan.Next()) {
    StartCursor(scan.chunk(), scan.lo(), &cursor);
    for (uint32_t r = scan.lo(); r < scan.hi(); ++r) {
      rows.emplace_back();
      MaterializeRow(scan.chunk(), r, &cursor, &rows.back());
    }
  }
  if (!scan.status().ok()) return scan.status();
  return rows;
}

}  // namespace internal

using internal::ChunkScanner;

struct RecordReader::Impl final : internal::OpenHandle {
  ~Impl() override { Unregister(); }
  // Store::Close or Refresh: the iterator goes; Next() fails from now on.
  Status EndWithStore(std::string_view by) override {
    scan.End(internal::EndedError(fmt::format("record reader for experiment {} scope \"{}\"", id, scope), by,
                                  "open a new reader to read on"));
    status = scan.status();
    ended = true;
    return Status::OK();
  }

  ChunkScanner scan;
  std::string id, scope;
  std::vector<uint32_t> cursor;
  uint32_t r = 0, hi = 0;
  bool loaded = false;
  bool ended = false;
  Status status;
};

RecordReader::RecordReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordReader::RecordReader(RecordReader&&) noexcept = default;
RecordReader& RecordReader::operator=(RecordReader&&) noexcept = default;
RecordReader::~RecordReader() = default;

Result<RecordReader> RecordReader::Open(const Store& store, std::string_view experiment_id, std::string_view scope,
                                        const RowRange& range) {
  auto impl = std::make_unique<Impl>();
  LABSTORE_RETURN_IF_ERROR(impl->scan.Open(*internal::StateOf(store), experiment_id, scope, range));
  impl->id = std::string(experiment_id);
  impl->scope = std::string(scope);
  impl->Register(internal::StateOf(store)->handles);
  return RecordReader(std::move(impl));
}

bool RecordReader::Next(Row* row) {
  Impl& d = *impl_;
  if (d.ended) return false;
  while (!d.loaded || d.r >= d.hi) {
    if (!d.scan.Next()) {
      d.status = d.scan.status();
      return false;
    }
    d.loaded = true;
    d.r = d.scan.lo();
    d.hi = d.scan.hi();
    internal::StartCursor(d.scan.chunk(), d.r, &d.cursor);
  }
  internal::MaterializeRow(d.scan.chunk(), d.r++, &d.cursor, row);
  return true;
}

const Status& RecordReader::status() const { return impl_->status; }
uint64_t RecordReader::size() const { return impl_->scan.end() - impl_->scan.begin(); }

Result<std::vector<Row>> ReadRows(const Store& store, std::string_view experiment_id, std::string_view scope,
                                  const RowRange& range) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*internal::StateOf(store), experiment_id);
  if (!key.ok()) return key.status();
  return internal::ReadRowsOf(*internal::StateOf(store), experiment_id, *key, scope, range);
}

}  // namespace labstore
