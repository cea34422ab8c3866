// labstore records ID — print the rows of a scope; --follow prints new rows as
// they are stored by a running writer.
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <fmt/format.h>

#include "commands.h"
#include "labstore/record_reader.h"

namespace labstore::tool {
namespace {

struct RecordsArgs {
  std::string id;
  std::string scope = "default";
  std::string format;  // table | csv | jsonl; default table, jsonl with --follow
  uint64_t tail = 0;
  bool follow = false;
  double interval_s = 0.5;
};

Status PrintText(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return Status::IOError("cannot write to stdout");
  return Status::OK();
}

// Prints rows [range] in `format`. `header` says whether a table or CSV gets its header lines.
void PrintRows(const Store& store, const RecordsArgs& a, const std::string& format, RowRange range, bool header) {
  if (format == "jsonl") {
    Check(WriteJsonLines(store, a.id, a.scope, PrintText, range));
  } else if (format == "csv") {
    std::string csv = Check(ToCsv(store, a.id, a.scope, range));
    if (!header) csv.erase(0, csv.find('\n') + 1);
    Check(PrintText(csv));
  } else {
    std::string table = Check(AsTable(store, a.id, a.scope, range));
    if (!header) {
      table.erase(0, table.find('\n') + 1);
      table.erase(0, table.find('\n') + 1);
    }
    Check(PrintText(table));
  }
  std::fflush(stdout);
}

void RunRecords(const Context& ctx, const RecordsArgs& a) {
  Store store = ctx.OpenReader();
  Check(store.Find(a.id));  // a clear NotFound before anything else
  std::string format = a.format.empty() ? (a.follow ? "jsonl" : "table") : a.format;
  uint64_t rows = Check(CountRows(store, a.id, a.scope));
  if (rows == 0 && !a.follow) {
    auto scopes = Check(ListScopes(store, a.id));
    std::string names;
    for (const auto& s : scopes) names += (names.empty() ? "" : ", ") + s.name;
    throw CommandError(fmt::format("experiment \"{}\" has no rows in scope \"{}\"{}", a.id, a.scope,
                                   names.empty() ? std::string(" (it has no scopes)") : " (its scopes: " + names + ")"),
                       kExitFailure);
  }
  uint64_t from = a.tail && a.tail < rows ? rows - a.tail : 0;
  if (rows > from) PrintRows(store, a, format, {.start = static_cast<int64_t>(from), .count = rows - from}, true);
  if (!a.follow) return;
  bool printed_header = rows > from;
  uint64_t next = rows;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::duration<double>(a.interval_s));
    Check(store.Refresh());
    bool finished = Check(store.GetStatus(a.id)).IsFinished();
    uint64_t now = Check(CountRows(store, a.id, a.scope));
    if (now > next) {
      PrintRows(store, a, format, {.start = static_cast<int64_t>(next), .count = now - next}, !printed_header);
      printed_header = true;
      next = now;
    }
    if (finished) return;  // the writer is done: every stored row was printed
  }
}

}  // namespace

void RegisterRecords(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RecordsArgs>();
  CLI::App* cmd = app.add_subcommand("records", "Print the record rows of an experiment's scope");
  cmd->add_option("ID", args->id, "Experiment id")->required();
  cmd->add_option("--scope", args->scope, "Scope (default \"default\")");
  cmd->add_option("--format", args->format, "table (default), csv or jsonl (default with --follow)")
      ->check(CLI::IsMember({"table", "csv", "jsonl"}));
  cmd->add_option("--tail", args->tail, "Only the last N rows");
  cmd->add_flag("--follow", args->follow,
                "Keep printing new rows as a running writer stores them; stops when the experiment is finished");
  cmd->add_option("--interval", args->interval_s, "Seconds between polls with --follow (default 0.5)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->footer("Example:\n  labstore records rm3SAJ --scope validation --tail 20\n"
              "  labstore records rm3SAJ --follow --format csv\n");
  cmd->callback([&ctx, args] { RunRecords(ctx, *args); });
}

}  // namespace labstore::tool
