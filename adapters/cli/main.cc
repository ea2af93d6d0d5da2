// `rogatory`: the command-line entry point. Finds the command named by the first argument and
// runs it; every command lives in its own file (commands.h).
#include <algorithm>
#include <iostream>
#include <string>
#include <string_view>

#include "commands.h"
#include "logging.h"

namespace rogatory::cli {
namespace {

struct Command {
  const char* name;
  const char* arguments;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// clang-format off
constexpr Command kCommands[] = {
    // name      arguments                                        summary
    {"validate", "PATH...",                                       "check workflow definition files or folders", RunValidate},
    {"graph",    "WORKFLOW[@VERSION]|FILE [--format mermaid|dot|svg] [--config FILE|--workflows DIR]", "print a workflow as a state diagram", RunGraph},
    {"test",     "PATH... [--workflows DIR] [--coverage]",        "run scenario files on virtual time, with coverage", RunTest},
    {"serve",    "[--config FILE]",                               "run the REST API, deadline scheduler and webhook dispatcher", RunServe},
    {"audit",    "verify [--config FILE]",                        "re-check every request's hash-chained history", RunAudit},
    {"stats",    "[--config FILE] [--format table|json|csv] [--rebuild]", "print the statistics, or rebuild them", RunStats},
    {"store",    "copy [--from URL | --config FILE] --to URL [--verify-all]", "copy a whole store into an empty SQLite or PostgreSQL store", RunStore},
};
// clang-format on

void PrintUsage(std::ostream& out) {
  size_t width = 0;
  for (const Command& c : kCommands) {
    width = std::max(width, std::string(c.name).size() + 1 + std::string(c.arguments).size());
  }
  out << "usage: rogatory COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& c : kCommands) {
    std::string synopsis = std::string(c.name) + " " + c.arguments;
    synopsis.resize(width, ' ');
    out << "  rogatory " << synopsis << "  " << c.summary << "\n";
  }
  out << "  rogatory help [COMMAND]\n\nRun 'rogatory COMMAND --help' for a command's options.\n";
}

const Command* Find(std::string_view name) {
  for (const Command& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

int UnknownCommand(std::string_view name) {
  std::cerr << "rogatory: unknown command '" << name << "'\n\n";
  PrintUsage(std::cerr);
  return 2;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(std::cerr);
    return 2;
  }
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    if (argc == 2 || name != "help") {
      PrintUsage(std::cout);
      return 0;
    }
    // `rogatory help validate` is `rogatory validate --help`.
    const Command* c = Find(argv[2]);
    if (c == nullptr) return UnknownCommand(argv[2]);
    char help_flag[] = "--help";
    char* help_argv[] = {argv[2], help_flag, nullptr};
    return c->run(2, help_argv);
  }
  const Command* c = Find(name);
  if (c == nullptr) return UnknownCommand(name);
  if (name != "serve") SetupCommandLogging();
  return c->run(argc - 1, argv + 1);
}

}  // namespace
}  // namespace rogatory::cli

int main(int argc, char** argv) { return rogatory::cli::Main(argc, argv); }
