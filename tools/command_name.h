// Recognising the subcommand before CLI11 parses, so that a typo gets
// "unknown command 'lst' (did you mean 'ls'?)" instead of CLI11's
// "A subcommand is required".
#ifndef LABSTORE_TOOLS_COMMAND_NAME_H_
#define LABSTORE_TOOLS_COMMAND_NAME_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace labstore::tool {

// The first argument that is neither a global option nor its value, if any.
// `options_with_value` are the global options that take a value ("--store").
std::optional<std::string> FirstCommandWord(int argc, char** argv,
                                            const std::vector<std::string>& options_with_value);

// True when `word` names a subcommand of `app`.
bool IsCommand(std::string_view word, const CLI::App& app);

// The subcommand name closest to `word` by edit distance, if it is close
// enough to be a likely typo (at most 2 edits, and fewer than the word's
// length); empty otherwise.
std::string SuggestCommand(std::string_view word, const CLI::App& app);

// The message for a word that names no subcommand.
std::string UnknownCommandMessage(std::string_view word, const CLI::App& app);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_COMMAND_NAME_H_
