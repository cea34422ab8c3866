// labstore cat ID PATH — a stored file's bytes on stdout, exactly as saved.
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "commands.h"

namespace labstore::tool {
namespace {

// How many of the experiment's files a "no such file" message lists.
constexpr size_t kFilesListed = 5;

void RunCat(const Context& ctx, const std::string& id, const std::string& path) {
  Store store = ctx.OpenReader();
  Check(store.Find(id));  // a bad or unknown id is reported as such
  auto opened = FileReader::Open(store, id, path);
  if (!opened.ok() && opened.status().IsNotFound()) {
    std::vector<FileInfo> files = Check(ListFiles(store, id));
    std::string message = fmt::format("experiment {} has no file \"{}\"", id, path);
    if (files.empty()) {
      message += "; it has no files";
    } else {
      message += fmt::format("; its files ({}):", files.size());
      for (size_t i = 0; i < files.size() && i < kFilesListed; ++i) message += " " + files[i].path;
      if (files.size() > kFilesListed) message += " ...";
    }
    throw CommandError(message, kExitFailure);
  }
  FileReader reader = Check(std::move(opened));
  std::vector<char> buffer(1 << 20);
  for (;;) {
    size_t n = Check(reader.Read(buffer));
    if (n == 0) break;
    if (std::fwrite(buffer.data(), 1, n, stdout) != n) throw CommandError("cannot write to stdout", kExitFailure);
  }
  if (std::fflush(stdout) != 0) throw CommandError("cannot write to stdout", kExitFailure);
}

}  // namespace

void RegisterCat(CLI::App& app, Context& ctx) {
  auto id = std::make_shared<std::string>();
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("cat", "Write a stored file's bytes to stdout");
  cmd->add_option("ID", *id, "Experiment id")->required();
  cmd->add_option("PATH", *path, "File path as stored, e.g. data/result.json ('show ID' lists them)")->required();
  cmd->footer("Example:\n  labstore cat rm3SAJ data/result.json\n  labstore cat rm3SAJ data/inputs.npy > inputs.npy\n");
  cmd->callback([&ctx, id, path] { RunCat(ctx, *id, *path); });
}

}  // namespace labstore::tool
