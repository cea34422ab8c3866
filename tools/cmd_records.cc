// labstore records ID — print the rows of a scope; --follow prints new rows as
// they are stored by a running writer.
#include <unistd.h>

#include <cstdio>
#include <optional>
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
  std::optional<uint64_t> head;  // only the first N rows
  std::optional<uint64_t> tail;  // only the last N rows (0: none)
  std::vector<std::string> columns;  // only these columns, in this order
  bool follow = false;
  double interval_s = 0.5;
};

Status PrintText(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) return Status::IOError("cannot write to stdout");
  return Status::OK();
}

// With --columns: the rows of `range` materialized, cut to the chosen columns.
void PrintColumns(const Store& store, const RecordsArgs& a, const std::string& format, RowRange range, bool header) {
  std::vector<Row> rows = Check(ReadRows(store, a.id, a.scope, range));
  std::string text;
  if (format == "jsonl") {
    for (Row& row : rows) {
      std::erase_if(row.cells, [&](const auto& cell) {
        return std::find(a.columns.begin(), a.columns.end(), cell.first) == a.columns.end();
      });
      text += FormatJsonLine(row);  // "__timestamp" is always part of a machinable line
      text += '\n';
    }
  } else {
    text = format == "csv" ? FormatCsv(rows, a.columns) : FormatTable(rows, a.columns);
    for (int skip = header ? 0 : (format == "csv" ? 1 : 2); skip > 0; --skip) text.erase(0, text.find('\n') + 1);
  }
  Check(PrintText(text));
  std::fflush(stdout);
}

// Prints rows [range] in `format`. `header` says whether a table or CSV gets its header lines.
void PrintRows(const Store& store, const RecordsArgs& a, const std::string& format, RowRange range, bool header) {
  if (!a.columns.empty()) return PrintColumns(store, a, format, range, header);
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
  if (!a.columns.empty()) {  // name the columns the scope lacks before printing
    std::vector<std::string> known{"__timestamp"};
    for (const auto& [name, type] : Check(GetScope(store, a.id, a.scope)).columns) known.push_back(name);
    for (const std::string& c : a.columns) {
      if (std::find(known.begin(), known.end(), c) == known.end()) {
        throw CommandError(fmt::format("--columns: scope \"{}\" of experiment \"{}\" has no column \"{}\"",
                                       a.scope, a.id, c), kExitUsage);
      }
    }
  }
  uint64_t from = a.tail && *a.tail < rows ? rows - *a.tail : 0;
  uint64_t to = a.head ? std::min(rows, from + *a.head) : rows;
  if (a.tail && *a.tail == 0) from = to = rows;  // --tail 0: nothing
  if (to > from) PrintRows(store, a, format, {.start = static_cast<int64_t>(from), .count = to - from}, true);
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
  cmd->add_option("--head", args->head, "Only the first N rows (with --tail: the first N of the last rows)");
  cmd->add_option("--tail", args->tail, "Only the last N rows (--tail 0: none, e.g. with --follow for new rows only)");
  cmd->add_option("--columns", args->columns,
                  "Only these columns, in this order (comma-separated; __timestamp allowed)")
      ->delimiter(',');
  cmd->add_flag("--follow", args->follow,
                "Keep printing new rows as a running writer stores them; stops when the experiment is finished");
  cmd->add_option("--interval", args->interval_s, "Seconds between polls with --follow (default 0.5)")
      ->check(CLI::Range(0.01, 3600.0));
  cmd->footer("Example:\n  labstore records rm3SAJ --scope validation --tail 20\n"
              "  labstore records rm3SAJ --head 5 --columns iteration,loss\n"
              "  labstore records rm3SAJ --follow --format csv\n");
  cmd->callback([&ctx, args] { RunRecords(ctx, *args); });
}

}  // namespace labstore::tool
