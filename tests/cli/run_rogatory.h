// The CLI tests' way of running the built `rogatory` executable as a user does: in a folder,
// with its exit code, stdout and stderr kept apart.
#ifndef ROGATORY_TESTS_CLI_RUN_ROGATORY_H_
#define ROGATORY_TESTS_CLI_RUN_ROGATORY_H_

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rogatory::cli_test {

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The whole file at `path` ("" when it cannot be read).
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// `arg` quoted for the shell, as one word.
inline std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `rogatory ARGS...` (ROGATORY_BINARY) in `cwd` (the test's own when empty).
inline Outcome RunRogatory(const std::vector<std::string>& args,
                           const std::filesystem::path& cwd = {}) {
  static std::atomic<int> runs{0};
  const std::filesystem::path err_file =
      std::filesystem::temp_directory_path() /
      ("rogatory_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(runs++) + ".err");
  std::string command;
  if (!cwd.empty()) command = "cd " + ShellQuote(cwd.string()) + " && ";
  command += ShellQuote(ROGATORY_BINARY);
  for (const auto& a : args) command += " " + ShellQuote(a);
  command += " 2>" + ShellQuote(err_file.string());
  Outcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = ReadFile(err_file);
  std::filesystem::remove(err_file);
  return run;
}

}  // namespace rogatory::cli_test

#endif  // ROGATORY_TESTS_CLI_RUN_ROGATORY_H_
