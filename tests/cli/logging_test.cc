// `rogatory serve`'s logging (adapters/cli/logging.cc), with stderr pointed at a file or a
// terminal in this process: info lines wait in stderr's buffer and go out together (a warning,
// the periodic flush or shutdown writes them), never one write per line, except on a terminal.
#include "logging.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace rogatory::cli {
namespace {

// Points fd 2 at `fd` for the life of the object, then puts the old stderr back.
class StderrRedirect {
 public:
  explicit StderrRedirect(int fd) : saved_(dup(STDERR_FILENO)) {
    std::fflush(stderr);
    dup2(fd, STDERR_FILENO);
  }
  ~StderrRedirect() {
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }

 private:
  int saved_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class LoggingToFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("rogatory-logging-" + std::to_string(getpid()) + ".log"))
                .string();
    fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    close(fd_);
    std::filesystem::remove(path_);
  }
  std::string path_;
  int fd_ = -1;
};

TEST_F(LoggingToFileTest, InfoLinesWaitInTheBufferUntilAWarningWritesThemAllOut) {
  {
    StderrRedirect redirect(fd_);
    SetupLogging("text", "info");
    // Right after setup the periodic flush is a second away: these stay in the buffer, about
    // 32 KB of them (more than a 4 KiB buffer, less than the 64 KiB one).
    for (int i = 0; i < 400; ++i) {
      spdlog::info("http request_id=r{:04} method=POST route=/v1/requests status=200", i);
    }
    EXPECT_EQ(ReadAll(path_), "") << "an info line was written before the warning";
    spdlog::warn("store: slow commit");
    const std::string text = ReadAll(path_);
    EXPECT_EQ(Occurrences(text, "status=200"), 400);
    EXPECT_EQ(Occurrences(text, "warn store: slow commit"), 1) << text.substr(0, 400);
    ShutdownLogging();
  }
}

TEST_F(LoggingToFileTest, ALoneInfoLineGoesOutWithinTheSecondsFlush) {
  {
    StderrRedirect redirect(fd_);
    SetupLogging("json", "info");
    spdlog::info("lone line");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::string text;
    while (std::chrono::steady_clock::now() < until) {
      text = ReadAll(path_);
      if (!text.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_NE(text.find("\"msg\":\"lone line\""), std::string::npos) << text;
    ShutdownLogging();
  }
}

TEST_F(LoggingToFileTest, ShutdownWritesOutEveryBufferedLine) {
  {
    StderrRedirect redirect(fd_);
    SetupLogging("text", "info");
    for (int i = 0; i < 1000; ++i) spdlog::info("line {}", i);
    ShutdownLogging();
    const std::string text = ReadAll(path_);
    EXPECT_EQ(Occurrences(text, " line "), 1000);
    EXPECT_NE(text.find(" line 999\n"), std::string::npos);
    // After shutdown nothing flushes periodically any more: a late line goes out at once.
    spdlog::info("late line");
    EXPECT_NE(ReadAll(path_).find(" late line\n"), std::string::npos);
  }
}

// On a terminal a person is watching: every line goes out at once.
TEST(LoggingToTerminalTest, EveryLineGoesOutAtOnce) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(slave, 0);
  std::string got;
  {
    StderrRedirect redirect(slave);
    SetupLogging("text", "info");
    spdlog::info("to the terminal");
    // Well before the periodic flush (a second after setup).
    pollfd p{master, POLLIN, 0};
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    while (got.find("to the terminal") == std::string::npos &&
           std::chrono::steady_clock::now() < until) {
      if (poll(&p, 1, 50) > 0) {
        char buf[512];
        const ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) got.append(buf, static_cast<size_t>(n));
      }
    }
    ShutdownLogging();
  }
  close(slave);
  close(master);
  EXPECT_NE(got.find("info to the terminal"), std::string::npos) << got;
}

}  // namespace
}  // namespace rogatory::cli
