// The deployment config (adapters/cli/config.cc): YAML text plus one environment override.
// The first line of the input is the value of one ROGATORY_* variable (picked by its first
// byte), the rest is the file. Whatever the bytes: a Config or `file:line: message` errors,
// never a crash, leak or hang; an accepted config has a listen address that parses.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config.h"
#include "fuzz/fuzz_check.h"

namespace {

constexpr const char* kVariables[] = {
    "ROGATORY_LISTEN",
    "ROGATORY_STORE",
    "ROGATORY_WORKFLOWS",
    "ROGATORY_AUTH_TOKENS",
    "ROGATORY_WEBHOOKS_MAX_ATTEMPTS",
    "ROGATORY_WEBHOOKS_RETRY_INITIAL",
    "ROGATORY_WEBHOOKS_RETRY_MAX",
    "ROGATORY_WEBHOOKS_ALLOW_PRIVATE",
    "ROGATORY_WEBHOOKS_TIMEOUT",
    "ROGATORY_WEBHOOKS_LEASE",
    "ROGATORY_WEBHOOKS_WORKERS",
    "ROGATORY_LIMITS_MAX_BODY",
    "ROGATORY_HTTP_THREADS",
    "ROGATORY_HTTP_KEEP_ALIVE_MAX",
    "ROGATORY_HTTP_KEEP_ALIVE_TIMEOUT",
    "ROGATORY_LOG_FORMAT",
    "ROGATORY_LOG_LEVEL",
    "ROGATORY_STORE_SQLITE_SYNCHRONOUS",
    "ROGATORY_STORE_SQLITE_CHECKPOINT_PAGES",
};
constexpr size_t kVariableCount = sizeof(kVariables) / sizeof(kVariables[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> env_value;
  const char* env_name = nullptr;
  if (!input.empty() && input.front() == '$') {
    // "$<selector><value>\n<file>": an override; otherwise the whole input is the file.
    input.remove_prefix(1);
    if (!input.empty()) {
      env_name = kVariables[static_cast<unsigned char>(input.front()) % kVariableCount];
      input.remove_prefix(1);
    }
    const size_t eol = input.find('\n');
    env_value = std::string(input.substr(0, eol));
    input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  }
  auto env = [&](const char* name) -> std::optional<std::string> {
    if (env_name != nullptr && std::string_view(name) == env_name) return env_value;
    return std::nullopt;
  };
  const rogatory::cli::ConfigResult result = rogatory::cli::ParseConfig(input, "fuzz.yaml", env);
  if (result.ok()) {
    std::string host;
    int port = -1;
    FUZZ_CHECK(rogatory::cli::ParseListen(result.config.listen, &host, &port));
    FUZZ_CHECK(port >= 0 && port <= 65535);
    FUZZ_CHECK(result.config.webhooks.max_attempts >= 1);
  } else {
    for (const auto& e : result.errors) FUZZ_CHECK(!e.empty());
  }
  std::string host;
  int port = 0;
  if (rogatory::cli::ParseListen(input, &host, &port)) FUZZ_CHECK(port >= 0 && port <= 65535);
  return 0;
}
