#include "command_name.h"

#include <algorithm>

#include <fmt/format.h>

namespace labstore::tool {
namespace {

// Levenshtein distance with one row of memory; the words are short.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> FirstCommandWord(int argc, char** argv,
                                            const std::vector<std::string>& options_with_value) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") return i + 1 < argc ? std::optional<std::string>(argv[i + 1]) : std::nullopt;
    if (arg.empty() || arg[0] != '-') return std::string(arg);
    if (std::find(options_with_value.begin(), options_with_value.end(), arg) != options_with_value.end()) ++i;
  }
  return std::nullopt;
}

bool IsCommand(std::string_view word, const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(std::string(word))) return true;
  }
  return false;
}

std::string SuggestCommand(std::string_view word, const CLI::App& app) {
  std::string best;
  size_t best_distance = 3;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    size_t d = EditDistance(word, sub->get_name());
    bool prefix = word.size() >= 2 && sub->get_name().rfind(word, 0) == 0;
    if (prefix) d = std::min<size_t>(d, 1);
    if (d < best_distance && d < std::max<size_t>(word.size(), 2)) {
      best_distance = d;
      best = sub->get_name();
    }
  }
  return best;
}

std::string UnknownCommandMessage(std::string_view word, const CLI::App& app) {
  std::string suggestion = SuggestCommand(word, app);
  if (!suggestion.empty()) return fmt::format("unknown command '{}' (did you mean '{}'?)", word, suggestion);
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return fmt::format("unknown command '{}' (commands: {})", word, names);
}

}  // namespace labstore::tool
