// The deployment config (CONTRACT §2, config/rogatory.yaml): every key has a default, ROGATORY_*
// environment variables override the file, and a problem is reported as `file:line: message`.
#ifndef ROGATORY_ADAPTERS_CLI_CONFIG_H_
#define ROGATORY_ADAPTERS_CLI_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/time.h"
#include "rogatory/time_zone.h"

namespace rogatory::cli {

// The file `rogatory serve` and `rogatory audit verify` read when --config is not given and
// $ROGATORY_CONFIG is unset (relative to the working directory). Missing: built-in defaults.
inline constexpr char kDefaultConfigPath[] = "config/rogatory.yaml";
inline constexpr char kDefaultStore[] = "sqlite:///var/lib/rogatory/rogatory.db";

// One bearer token: only its SHA-256 (64 lowercase hex digits) is ever stored.
struct TokenConfig {
  std::string actor;
  std::vector<std::string> roles;
  std::string sha256;
  std::string authority{};  // CONTRACT §8: an id of Config::authorities, or empty
  int line = 0;             // where it was given (in the file or the environment's YAML)
};

// CONTRACT §8: one authority taking part in requests.
struct AuthorityConfig {
  std::string id;       // [a-z][a-z0-9_.-]*, unique
  std::string name;     // required
  std::string country;  // an assigned ISO 3166-1 alpha-2 code, upper case
};

// The roles a token may hold without an authority when authorities are configured.
bool IsGlobalRole(std::string_view role);
// True for an assigned ISO 3166-1 alpha-2 code ("FR"), as listed by the system's tzdata
// (iso3166.tab, read at build time).
bool IsAssignedCountryCode(std::string_view code);

struct Config {
  // listen: HOST:PORT ("[::1]:8080" for IPv6; port 0 = any free port).
  std::string listen = "127.0.0.1:8080";
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  // store: the store URL (adapters/store OpenStore); `store.url` when store is a map.
  std::string store = kDefaultStore;
  // store.sqlite.synchronous: FULL (default: every acknowledged step survives a power loss) or
  // NORMAL (WAL: a power loss may lose the last commits, never the database). Our extension.
  std::string sqlite_synchronous = "FULL";
  // store.sqlite.checkpoint_pages: WAL pages between two checkpoints (1 to 1,000,000); 0 when
  // unset: the store's default (SqlStoreOptions::checkpoint_pages, 4000). Our extension.
  int sqlite_checkpoint_pages = 0;
  // store.sqlite.request_cache: how many requests the store keeps in memory after its own commit
  // of them (0 to 1,000,000; 0 keeps none); -1 when unset: the store's default
  // (SqlStoreOptions::request_cache, 1024). Our extension.
  int sqlite_request_cache = -1;
  // workflows: folder (or file) of definitions, relative to the working directory.
  std::string workflows = "workflows/";
  // time_zone: the IANA zone whole-day deadlines (counting: days) are counted in.
  TimeZone time_zone;
  // auth.tokens
  std::vector<TokenConfig> tokens;
  // authorities (CONTRACT §8): empty means one office, every token sees every request.
  std::vector<AuthorityConfig> authorities{};
  struct Webhooks {
    int max_attempts = 12;                                  // then the delivery is dead-lettered
    IsoDuration retry_initial{0, std::chrono::seconds(5)};  // first backoff
    IsoDuration retry_max{0, std::chrono::hours(1)};        // backoff ceiling
    bool allow_private = false;                             // SSRF guard off when true
    // Our extensions (adapters/webhook WebhookDispatcherOptions):
    IsoDuration timeout{0, std::chrono::seconds(10)};  // no answer within this is a failure
    IsoDuration lease{0, std::chrono::seconds(60)};    // a claimed delivery's reservation
    int workers = 16;                                  // sends in flight at once
  } webhooks;
  struct Limits {
    size_t max_body = 1048576;  // bytes
    // Our extension: a workflow definition file larger than this is refused at start.
    size_t max_definition_bytes = 1048576;
  } limits;
  // http: our extension; tuning of the HTTP server.
  struct Http {
    int threads = 16;
    int keep_alive_max = 10000;
    std::chrono::seconds keep_alive_timeout{2};
  } http;
  // log: our extension.
  struct Log {
    std::string format = "text";  // text | json
    std::string level = "info";   // trace | debug | info | warn | error | critical | off
  } log;

  std::string source;  // the file it was read from; empty when only defaults applied
};

// Reads an environment variable; nullopt when unset. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
// The process environment.
std::optional<std::string> ProcessEnv(const char* name);

struct ConfigResult {
  Config config;
  // Every problem: "file:line: message" for the file, "ROGATORY_X: message" for the
  // environment. The config is unusable when there is any.
  std::vector<std::string> errors;
  bool ok() const { return errors.empty(); }
};

// Parses config `text` (YAML) as if read from `file_name`, then applies the environment
// overrides. Unknown keys, values of the wrong type or out of range are errors. Every key is
// optional. Environment rule: ROGATORY_ + the key's path in upper case with dots and dashes as
// underscores (ROGATORY_LISTEN, ROGATORY_WEBHOOKS_MAX_ATTEMPTS, ROGATORY_WEBHOOKS_RETRY_INITIAL,
// ROGATORY_LIMITS_MAX_BODY, ROGATORY_LOG_FORMAT, ROGATORY_TIME_ZONE, ...); the value is read as
// YAML, so ROGATORY_AUTH_TOKENS='[{actor: a, roles: [r], sha256: "..."}]' works too.
ConfigResult ParseConfig(std::string_view text, const std::string& file_name,
                         const EnvLookup& env = ProcessEnv);

// Loads the config file `path`; when `path` is empty, $ROGATORY_CONFIG, else
// kDefaultConfigPath if it exists, else no file (defaults and environment only). A file named
// explicitly (argument or $ROGATORY_CONFIG) must exist.
ConfigResult LoadConfig(const std::string& path, const EnvLookup& env = ProcessEnv);

// Splits "host:port" / "[v6]:port" / ":port" (host 0.0.0.0). False if malformed.
bool ParseListen(std::string_view listen, std::string* host, int* port);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_CONFIG_H_
