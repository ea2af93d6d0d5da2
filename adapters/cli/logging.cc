#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

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

}  // namespace

void SetupLogging(const std::string& format, const std::string& level) {
  // stderr is fully buffered and flushed every second and at every warning: a busy server
  // writes its access log in a few large writes instead of one per call, and a call's access
  // log line costs it the formatting and a copy into the buffer. (An asynchronous logger cost
  // more: its background thread was woken for each line, one more context switch per call;
  // docs/performance.md.)
  std::setvbuf(stderr, nullptr, _IOFBF, 1 << 16);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rogatory", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    auto text = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    text->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %* %v");
    logger->set_formatter(std::move(text));
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void ShutdownLogging() {
  auto current = spdlog::default_logger();
  std::vector<spdlog::sink_ptr> sinks(current->sinks().begin(), current->sinks().end());
  const spdlog::level::level_enum level = current->level();
  current.reset();
  spdlog::shutdown();  // flushes and stops the periodic flusher
  for (const auto& sink : sinks) sink->flush();
  // Anything logged later still goes out, synchronously, in the same format.
  auto sync = std::make_shared<spdlog::logger>("rogatory", sinks.begin(), sinks.end());
  sync->set_level(level);
  spdlog::set_default_logger(sync);
}

}  // namespace rogatory::cli
