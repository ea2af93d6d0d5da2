#include "logging.h"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "rogatory/time.h"

namespace rogatory::cli {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch());
    const std::string ts = FormatRfc3339(FromUnixMicros(micros.count()));
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string line =
        "{\"ts\":\"" + ts + "\",\"level\":\"" + std::string(level.data(), level.size()) + "\",";
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
  // writes its access log in a few large writes instead of one per call.
  std::setvbuf(stderr, nullptr, _IOFBF, 1 << 16);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  // Lines are formatted and written by one background thread, so a call's access log line costs
  // it a queue push, not a write to stderr. The queue blocks when full: nothing is dropped.
  spdlog::init_thread_pool(8192, 1);
  auto logger = std::make_shared<spdlog::async_logger>("rogatory", sink, spdlog::thread_pool(),
                                                       spdlog::async_overflow_policy::block);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
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
  spdlog::shutdown();  // writes out the queue and joins the writer thread
  for (const auto& sink : sinks) sink->flush();
  // Anything logged later still goes out, synchronously, in the same format.
  auto sync = std::make_shared<spdlog::logger>("rogatory", sinks.begin(), sinks.end());
  sync->set_level(level);
  spdlog::set_default_logger(sync);
}

}  // namespace rogatory::cli
