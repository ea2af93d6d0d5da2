#include "logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>

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
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("rogatory", sink);
  if (format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace rogatory::cli
