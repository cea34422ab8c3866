// Pass 2 of lib/import/import.cc: an experiment that pass 1 read and checked is
// written through the public API (Commit, markers, output, RecordWriter,
// SaveFile / FileWriter), keeping what a killed import already wrote.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include <fmt/format.h>

#include "import/importer.h"
#include "import/pending.h"
#include "import/record_line.h"
#include "labstore/data.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

constexpr size_t kStreamAbove = 8u << 20;  // files larger than this are streamed

}  // namespace

Status Importer::Write(const SourceExperiment& se, const ImportPlan& plan, Experiment& e) {
  size_t started = 0;
  std::string output;
  if (e.stored) {
    auto status = store_.GetStatus(e.id);
    if (!status.ok()) return status.status();
    started = std::min(status->started_at.size(), plan.started.size());
    auto text = store_.ReadOutput(e.id);
    if (!text.ok()) return text.status();
    output = std::move(*text);
  } else {
    LABSTORE_RETURN_IF_ERROR(SetImportPending(*internal::StateOf(store_), se.id, true));
    LABSTORE_RETURN_IF_ERROR(store_.Commit(e));
  }
  for (size_t i = started; i < plan.started.size(); ++i) {
    LABSTORE_RETURN_IF_ERROR(store_.MarkStarted(e.id, plan.started[i]));
  }
  if (plan.finished) LABSTORE_RETURN_IF_ERROR(store_.MarkFinished(e.id, *plan.finished));
  if (plan.heartbeat) LABSTORE_RETURN_IF_ERROR(store_.UpdateHeartbeat(e.id, *plan.heartbeat));
  if (plan.output.size() > output.size() && plan.output.starts_with(output)) {
    LABSTORE_RETURN_IF_ERROR(store_.AppendOutput(e.id, std::string_view(plan.output).substr(output.size())));
  }
  for (const ScopeFile& scope : plan.scopes) LABSTORE_RETURN_IF_ERROR(WriteRecords(e.id, scope));
  for (const std::string& rel : plan.files) LABSTORE_RETURN_IF_ERROR(WriteFile(e.id, se.folder + "/" + rel, rel));
  return SetImportPending(*internal::StateOf(store_), se.id, false);
}

Status Importer::WriteRecords(const std::string& id, const ScopeFile& scope) {
  auto stored = CountRows(store_, id, scope.name);
  if (!stored.ok() && !stored.status().IsNotFound()) return stored.status();
  const uint64_t skip = stored.ok() ? *stored : 0;
  auto text = src_.Read(scope.rel);
  if (!text.ok()) return text.status();
  auto writer = RecordWriter::Open(store_, id, scope.name);
  if (!writer.ok()) return writer.status();
  Status status;
  uint64_t line_count = 0;
  ForEachLine(*text, [&](size_t n, std::string_view line) {
    if (!status.ok() || line_count++ < skip) return;
    auto row = ParsePyJson(line, fmt::format("{} line {}", scope.rel, n));
    if (!row.ok()) {
      status = row.status();
      return;
    }
    for (const auto& [k, v] : row->members()) {
      if (k == "__timestamp") {
        if (auto t = ParseIso(v.text()); t.ok()) writer->SetTimestamp(*t);
      } else {
        writer->Set(k, RecordValueOf(v));
      }
    }
    status = writer->Save(/*force=*/true);
    if (status.ok()) ++report_.record_rows;
  });
  Status closed = writer->Close();
  return status.ok() ? closed : status;
}

Status Importer::WriteFile(const std::string& id, const std::string& src_rel, const std::string& path) {
  auto size = src_.Size(src_rel);
  if (!size.ok()) return size.status();
  if (*size <= kStreamAbove) {
    auto bytes = src_.Read(src_rel);
    if (!bytes.ok()) return bytes.status();
    LABSTORE_RETURN_IF_ERROR(SaveFile(store_, id, path, *bytes));
  } else {
    auto fd = src_.OpenFile(src_rel);
    if (!fd.ok()) return fd.status();
    auto w = FileWriter::Open(store_, id, path);
    if (!w.ok()) return w.status();
    std::string buf(1 << 20, '\0');
    Status s;
    while (s.ok()) {
      ssize_t n = ::read(fd->get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) s = Status::IOError(fmt::format("cannot read {}/{}", src_.path(), src_rel));
      if (n <= 0) break;
      s = w->Append(std::string_view(buf.data(), static_cast<size_t>(n)));
    }
    fd->Reset();
    LABSTORE_RETURN_IF_ERROR(s);
    LABSTORE_RETURN_IF_ERROR(w->Close());
  }
  ++report_.files;
  return Status::OK();
}

}  // namespace labstore::internal
