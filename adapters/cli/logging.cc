#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "rogatory/spin_then_block_mutex.h"

// The compiled spdlog instantiates base_sink only for its own mutexes; this is the template.
#include <spdlog/sinks/base_sink-inl.h>

namespace rogatory::cli {
namespace {

// The level names of the config's log.level (spdlog itself says "warning" for warn).
std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// %* in a pattern: the level as the config names it (LevelName).
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view name = LevelName(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

// One JSON object per line, keys in a fixed order: ts (UTC, milliseconds, as the text format),
// level, then the message's own keys (an access line's JSON object) or msg.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char ts[96];  // room for any int the compiler can imagine
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(millis % 1000));
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string line = "{\"ts\":\"" + std::string(ts) + "\",\"level\":\"" +
                       std::string(LevelName(msg.level)) + "\",";
    if (payload.size() > 2 && payload.front() == '{' && payload.back() == '}') {
      line.append(payload.substr(1));
    } else {
      line += "\"msg\":";
      line += nlohmann::json(std::string(payload))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      line += '}';
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// stderr through its stdio buffer. spdlog's own stderr sink calls fflush after every line, so a
// busy server made one write(2) per API call while holding the sink's lock, and its call threads
// queued on that lock (a futex wait and wake for about a third of the calls under wrk, 16
// threads). Its lock spins before it sleeps, and it leaves the lines in the buffer: the logger's
// flush (every second, at every warning, at shutdown) writes them out. On a terminal every line
// goes out at once, for people watching it.
class BufferedStderrSink final : public spdlog::sinks::base_sink<rogatory::SpinThenBlockMutex> {
 public:
  BufferedStderrSink() : line_by_line_(isatty(fileno(stderr)) != 0) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (line_by_line_) std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  const bool line_by_line_;
};

// The text format both loggers write: "2026-12-05T14:30:20.123Z info message".
std::unique_ptr<spdlog::formatter> TextFormatter() {
  auto text = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  text->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %* %v");
  return text;
}

}  // namespace

void SetupLogging(const std::string& format, const std::string& level) {
  // stderr is fully buffered and flushed every second and at every warning: a busy server
  // writes its access log in a few large writes instead of one per call, and a call's access
  // log line costs it the formatting and a copy into the buffer. (An asynchronous logger cost
  // more: its background thread was woken for each line, one more context switch per call;
  // docs/performance.md.)
  // The buffer must be given: with a null one glibc ignores the size and picks the file's
  // block size (4 KiB, a write every ~25 access lines instead of every ~400).
  static char stderr_buffer[1 << 16];
  std::setvbuf(stderr, stderr_buffer, _IOFBF, sizeof stderr_buffer);
  auto sink = std::make_shared<BufferedStderrSink>();
  auto logger = std::make_shared<spdlog::logger>("rogatory", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(TextFormatter());
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void SetupCommandLogging() {
  // Thread-safe: a command's store logs from its background threads too (the checkpointer).
  auto logger = std::make_shared<spdlog::logger>("rogatory",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(TextFormatter());
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void ShutdownLogging() {
  auto current = spdlog::default_logger();
  std::vector<spdlog::sink_ptr> sinks(current->sinks().begin(), current->sinks().end());
  const spdlog::level::level_enum level = current->level();
  current.reset();
  spdlog::shutdown();  // flushes and stops the periodic flusher
  for (const auto& sink : sinks) sink->flush();
  // Anything logged later still goes out, synchronously, in the same format: with no periodic
  // flusher left, every line is flushed as it is written.
  auto sync = std::make_shared<spdlog::logger>("rogatory", sinks.begin(), sinks.end());
  sync->set_level(level);
  sync->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(sync);
}

}  // namespace rogatory::cli
