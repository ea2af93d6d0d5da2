// The config keys form one table: each leaf key has a path, a parser into Config, and an
// environment variable derived from the path. The file is walked against the table (unknown
// keys are errors with their line), then the environment is applied over it.
#include "config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "rogatory/request.h"
#include "rogatory/workflow.h"

namespace rogatory::cli {
namespace {

// Reports a problem at a node (its line in the file, or the environment variable).
using Report = std::function<void(const YAML::Node& at, const std::string& message)>;
using Setter = void (*)(const YAML::Node& value, Config* config, const Report& report);

struct Key {
  const char* path;
  Setter set;
  bool raw_string;  // an environment value is taken verbatim, not parsed as YAML
};

std::optional<std::string> Scalar(const YAML::Node& v, const Report& report, const char* what) {
  if (!v.IsScalar()) {
    report(v, std::string("must be ") + what);
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<int64_t> Integer(const YAML::Node& v, const Report& report, int64_t min,
                               int64_t max) {
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  auto text = Scalar(v, report, range.c_str());
  if (!text) return std::nullopt;
  bool digits = !text->empty();
  for (char c : *text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (!digits || text->size() > 18) {
    report(v, "must be " + range);
    return std::nullopt;
  }
  const int64_t n = std::strtoll(text->c_str(), nullptr, 10);
  if (n < min || n > max) {
    report(v, "must be " + range);
    return std::nullopt;
  }
  return n;
}

std::optional<bool> Boolean(const YAML::Node& v, const Report& report) {
  auto text = Scalar(v, report, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  report(v, "must be true or false");
  return std::nullopt;
}

std::optional<IsoDuration> ReadDuration(const YAML::Node& v, const Report& report) {
  auto text = Scalar(v, report, "an ISO 8601 duration such as PT5S");
  if (!text) return std::nullopt;
  Result<IsoDuration> d = ParseIsoDuration(*text);
  if (!d.ok()) {
    report(v, "must be an ISO 8601 duration such as PT5S: " + d.status().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<std::string> NonEmpty(const YAML::Node& v, const Report& report) {
  auto text = Scalar(v, report, "a string");
  if (text && text->empty()) {
    report(v, "must not be empty");
    return std::nullopt;
  }
  return text;
}

void SetListen(const YAML::Node& v, Config* c, const Report& report) {
  auto text = NonEmpty(v, report);
  if (!text) return;
  if (!ParseListen(*text, &c->listen_host, &c->listen_port)) {
    report(v, "must be HOST:PORT, e.g. 127.0.0.1:8080");
    return;
  }
  c->listen = *text;
}

void SetStore(const YAML::Node& v, Config* c, const Report& report) {
  if (auto text = NonEmpty(v, report)) c->store = *text;
}

void SetSqliteSynchronous(const YAML::Node& v, Config* c, const Report& report) {
  auto text = Scalar(v, report, "FULL or NORMAL");
  if (!text) return;
  std::string upper;
  for (char ch : *text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (upper != "FULL" && upper != "NORMAL") {
    report(v, "must be FULL or NORMAL");
    return;
  }
  c->sqlite_synchronous = upper;
}

void SetSqliteCheckpointPages(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1, 1000000)) c->sqlite_checkpoint_pages = static_cast<int>(*n);
}

void SetSqliteRequestCache(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 0, 1000000)) c->sqlite_request_cache = static_cast<int>(*n);
}

void SetWorkflows(const YAML::Node& v, Config* c, const Report& report) {
  if (auto text = NonEmpty(v, report)) c->workflows = *text;
}

// An IANA zone name, resolved now so that a typo stops the start (CONTRACT §2 `time_zone`).
void SetTimeZone(const YAML::Node& v, Config* c, const Report& report) {
  auto name = Scalar(v, report, "an IANA time zone name such as Europe/Paris");
  if (!name) return;
  Result<TimeZone> zone = TimeZone::Find(*name);
  if (!zone.ok()) {
    report(v, "time_zone: " + zone.status().message());
    return;
  }
  c->time_zone = *zone;
}

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!std::isdigit(static_cast<unsigned char>(ch)) && (ch < 'a' || ch > 'f')) return false;
  }
  return true;
}

void SetTokens(const YAML::Node& v, Config* c, const Report& report) {
  if (v.IsNull()) {
    c->tokens.clear();
    return;
  }
  if (!v.IsSequence()) {
    report(v, "must be a list of {actor, roles, sha256}");
    return;
  }
  std::vector<TokenConfig> tokens;
  for (const YAML::Node& entry : v) {
    if (!entry.IsMap()) {
      report(entry, "a token must be a map {actor, roles, sha256}");
      continue;
    }
    TokenConfig t;
    t.line = entry.Mark().is_null() ? 0 : entry.Mark().line + 1;
    bool ok = true;
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      if (key == "actor") {
        auto a = NonEmpty(value, report);
        ok = ok && a.has_value();
        if (a) t.actor = *a;
      } else if (key == "roles") {
        if (!value.IsSequence()) {
          report(value, "roles must be a list of role names");
          ok = false;
          continue;
        }
        for (const YAML::Node& r : value) {
          auto role = NonEmpty(r, report);
          if (role && *role == "system") {
            report(r, "role 'system' is reserved for the engine's own timers");
            ok = false;
          } else if (role) {
            t.roles.push_back(*role);
          } else {
            ok = false;
          }
        }
      } else if (key == "sha256") {
        auto h = Scalar(value, report, "64 lowercase hex digits");
        if (h && !IsHex64(*h)) {
          report(value, "sha256 must be 64 lowercase hex digits (printf %s TOKEN | sha256sum)");
          ok = false;
        } else if (h) {
          t.sha256 = *h;
        } else {
          ok = false;
        }
      } else if (key == "authority") {
        auto a = NonEmpty(value, report);
        ok = ok && a.has_value();
        if (a) t.authority = *a;
      } else if (key == "token") {
        report(kv.first, "tokens are stored only as their SHA-256: give sha256, not token");
        ok = false;
      } else {
        report(kv.first,
               "unknown key '" + key + "' in a token (expected actor, roles, sha256, authority)");
        ok = false;
      }
    }
    if (ok && t.actor.empty()) {
      report(entry, "a token needs an actor");
      ok = false;
    }
    if (ok && t.actor == kSystemRole) {
      // The engine's timers act as `system`: a token must not be able to act as them.
      report(entry,
             "actor 'system' is reserved for the engine's timers; give the token another "
             "actor");
      ok = false;
    }
    if (ok && t.sha256.empty()) {
      report(entry, "a token needs its sha256");
      ok = false;
    }
    for (const TokenConfig& other : tokens) {
      if (ok && other.sha256 == t.sha256) {
        report(entry, "the same token is given to '" + other.actor + "' and '" + t.actor + "'");
        ok = false;
      }
    }
    if (ok) tokens.push_back(std::move(t));
  }
  c->tokens = std::move(tokens);
}

bool IsAuthorityId(const std::string& id) {
  if (id.empty() || id[0] < 'a' || id[0] > 'z') return false;
  for (char ch : id) {
    const bool ok =
        (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

void SetAuthorities(const YAML::Node& v, Config* c, const Report& report) {
  if (v.IsNull()) {
    c->authorities.clear();
    return;
  }
  if (!v.IsSequence()) {
    report(v, "must be a list of {id, name, country}");
    return;
  }
  std::vector<AuthorityConfig> authorities;
  for (const YAML::Node& entry : v) {
    if (!entry.IsMap()) {
      report(entry, "an authority must be a map {id, name, country}");
      continue;
    }
    AuthorityConfig a;
    bool ok = true;
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      auto text = NonEmpty(value, report);
      if (!text) {
        ok = false;
        continue;
      }
      if (key == "id") {
        if (!IsAuthorityId(*text)) {
          report(value, "authority id '" + *text +
                            "' is invalid: use lowercase letters, digits, '_', '.' and '-', "
                            "starting with a letter (e.g. fr.pnf)");
          ok = false;
        }
        a.id = *text;
      } else if (key == "name") {
        a.name = *text;
      } else if (key == "country") {
        if (!IsAssignedCountryCode(*text)) {
          std::string upper = *text;
          for (char& ch : upper)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          report(value, "country '" + *text + "' is not an assigned ISO 3166-1 alpha-2 code" +
                            (upper != *text && IsAssignedCountryCode(upper)
                                 ? "; write it in upper case: " + upper
                                 : std::string(" (e.g. FR, DE, IQ)")));
          ok = false;
        }
        a.country = *text;
      } else {
        report(kv.first, "unknown key '" + key + "' in an authority (expected id, name, country)");
        ok = false;
      }
    }
    for (const char* key : {"id", "name", "country"}) {
      if (ok && !entry[key]) {
        report(entry, std::string("an authority needs its ") + key);
        ok = false;
      }
    }
    for (const AuthorityConfig& other : authorities) {
      if (ok && other.id == a.id) {
        report(entry, "authority '" + a.id + "' is listed twice");
        ok = false;
      }
    }
    if (ok) authorities.push_back(std::move(a));
  }
  c->authorities = std::move(authorities);
}

void SetMaxAttempts(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1, 1000)) c->webhooks.max_attempts = static_cast<int>(*n);
}
void SetRetryInitial(const YAML::Node& v, Config* c, const Report& report) {
  if (auto d = ReadDuration(v, report)) c->webhooks.retry_initial = *d;
}
void SetRetryMax(const YAML::Node& v, Config* c, const Report& report) {
  if (auto d = ReadDuration(v, report)) c->webhooks.retry_max = *d;
}
void SetAllowPrivate(const YAML::Node& v, Config* c, const Report& report) {
  if (auto b = Boolean(v, report)) c->webhooks.allow_private = *b;
}
// A fixed duration (no months) between `min` and `max`, or an error.
std::optional<IsoDuration> ReadBoundedDuration(const YAML::Node& v, const Report& report,
                                               Duration min, Duration max, const char* range) {
  auto d = ReadDuration(v, report);
  if (!d) return std::nullopt;
  if (d->months != 0 || d->fixed < min || d->fixed > max) {
    report(v, std::string("must be from ") + range);
    return std::nullopt;
  }
  return d;
}
void SetWebhookTimeout(const YAML::Node& v, Config* c, const Report& report) {
  if (auto d = ReadBoundedDuration(v, report, std::chrono::milliseconds(100),
                                   std::chrono::minutes(5), "PT0.1S to PT5M")) {
    c->webhooks.timeout = *d;
  }
}
void SetWebhookLease(const YAML::Node& v, Config* c, const Report& report) {
  if (auto d = ReadBoundedDuration(v, report, std::chrono::seconds(1), std::chrono::hours(1),
                                   "PT1S to PT1H")) {
    c->webhooks.lease = *d;
  }
}
void SetWebhookWorkers(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1, 256)) c->webhooks.workers = static_cast<int>(*n);
}
void SetMaxBody(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1024, int64_t{1} << 30)) {
    c->limits.max_body = static_cast<size_t>(*n);
  }
}
void SetMaxDefinitionBytes(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1024, int64_t{1} << 30)) {
    c->limits.max_definition_bytes = static_cast<size_t>(*n);
  }
}
void SetThreads(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1, 1024)) c->http.threads = static_cast<int>(*n);
}
void SetKeepAliveMax(const YAML::Node& v, Config* c, const Report& report) {
  if (auto n = Integer(v, report, 1, 1000000)) c->http.keep_alive_max = static_cast<int>(*n);
}
void SetKeepAliveTimeout(const YAML::Node& v, Config* c, const Report& report) {
  auto d = ReadDuration(v, report);
  if (!d) return;
  const auto us = d->fixed.count();
  if (d->months != 0 || us % 1000000 != 0 || us < 1000000 || us > 3600LL * 1000000) {
    report(v, "must be whole seconds from PT1S to PT1H");
    return;
  }
  c->http.keep_alive_timeout = std::chrono::seconds(us / 1000000);
}
void SetLogFormat(const YAML::Node& v, Config* c, const Report& report) {
  auto text = Scalar(v, report, "text or json");
  if (!text) return;
  if (*text != "text" && *text != "json") {
    report(v, "must be text or json");
    return;
  }
  c->log.format = *text;
}
void SetLogLevel(const YAML::Node& v, Config* c, const Report& report) {
  auto text = Scalar(v, report, "a log level");
  if (!text) return;
  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    if (*text == level) {
      c->log.level = *text;
      return;
    }
  }
  report(v, "must be trace, debug, info, warn, error, critical or off");
}

// clang-format off
const Key kKeys[] = {
    {"listen",                  SetListen,           true},
    {"store",                   SetStore,            true},
    {"store.url",               SetStore,            true},
    {"store.sqlite.synchronous", SetSqliteSynchronous, false},
    {"store.sqlite.checkpoint_pages", SetSqliteCheckpointPages, false},
    {"store.sqlite.request_cache", SetSqliteRequestCache, false},
    {"workflows",               SetWorkflows,        true},
    {"time_zone",               SetTimeZone,         true},
    {"auth.tokens",             SetTokens,           false},
    {"authorities",             SetAuthorities,      false},
    {"webhooks.max_attempts",   SetMaxAttempts,      false},
    {"webhooks.retry.initial",  SetRetryInitial,     false},
    {"webhooks.retry.max",      SetRetryMax,         false},
    {"webhooks.allow_private",  SetAllowPrivate,     false},
    {"webhooks.timeout",        SetWebhookTimeout,   false},
    {"webhooks.lease",          SetWebhookLease,     false},
    {"webhooks.workers",        SetWebhookWorkers,   false},
    {"limits.max_body",         SetMaxBody,          false},
    {"limits.max_definition_bytes", SetMaxDefinitionBytes, false},
    {"http.threads",            SetThreads,          false},
    {"http.keep_alive_max",     SetKeepAliveMax,     false},
    {"http.keep_alive_timeout", SetKeepAliveTimeout, false},
    {"log.format",              SetLogFormat,        false},
    {"log.level",               SetLogLevel,         false},
};
// clang-format on

const Key* FindKey(const std::string& path) {
  for (const Key& k : kKeys) {
    if (path == k.path) return &k;
  }
  return nullptr;
}

// True when some key lies under `path` (so it is a section).
bool IsSection(const std::string& path) {
  const std::string prefix = path + ".";
  for (const Key& k : kKeys) {
    if (std::string_view(k.path).substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// The names of the keys directly under section `path` ("" for the top level), for messages.
std::string KnownKeys(const std::string& path) {
  const std::string prefix = path.empty() ? "" : path + ".";
  std::vector<std::string> names;
  for (const Key& k : kKeys) {
    std::string_view p = k.path;
    if (p.substr(0, prefix.size()) != prefix) continue;
    std::string name(p.substr(prefix.size(), p.find('.', prefix.size()) - prefix.size()));
    bool seen = false;
    for (const auto& n : names) seen = seen || n == name;
    if (!seen) names.push_back(name);
  }
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string EnvName(std::string_view path) {
  std::string name = "ROGATORY_";
  for (char c : path) {
    name += (c == '.' || c == '-') ? '_'
                                   : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

void Walk(const YAML::Node& map, const std::string& prefix, Config* config, const Report& report) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      report(kv.first, "keys must be plain names");
      continue;
    }
    const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    const Key* key = FindKey(path);
    // `store` is both a key (the URL) and a section (url, sqlite.synchronous): a map walks in.
    if (key != nullptr && !(kv.second.IsMap() && IsSection(path))) {
      key->set(kv.second, config, report);
    } else if (IsSection(path)) {
      if (kv.second.IsNull()) continue;
      if (!kv.second.IsMap()) {
        report(kv.second, "'" + path + "' must be a map (" + KnownKeys(path) + ")");
        continue;
      }
      Walk(kv.second, path, config, report);
    } else {
      report(kv.first, "unknown key '" + path + "'" +
                           (prefix.empty() ? std::string(" (known: ") + KnownKeys("") + ")"
                                           : std::string(" (known under ") + prefix + ": " +
                                                 KnownKeys(prefix) + ")"));
    }
  }
}

// CONTRACT §8: every token's authority is configured, and with authorities every token names
// one unless its roles are all global (auditor, admin, metrics). `tokens_at` is where the
// tokens came from (the file, or the environment variable).
void CheckTokenAuthorities(const Config& config, const std::string& tokens_at,
                           std::vector<std::string>* errors) {
  for (const TokenConfig& t : config.tokens) {
    const std::string at = tokens_at + (t.line > 0 ? ":" + std::to_string(t.line) : "") + ": ";
    if (!t.authority.empty()) {
      bool known = false;
      std::string ids;
      for (const AuthorityConfig& a : config.authorities) {
        known = known || a.id == t.authority;
        ids += (ids.empty() ? "" : ", ") + a.id;
      }
      if (!known) {
        errors->push_back(at + "the token of actor '" + t.actor + "' names authority '" +
                          t.authority + "', which is not configured" +
                          (ids.empty() ? std::string(" (the config has no authorities)")
                                       : " (known: " + ids + ")"));
      }
      continue;
    }
    if (config.authorities.empty()) continue;
    bool global = true;
    for (const std::string& role : t.roles) global = global && IsGlobalRole(role);
    if (!global) {
      errors->push_back(at + "the token of actor '" + t.actor +
                        "' needs an authority: with authorities configured, only tokens whose "
                        "roles are all auditor, admin or metrics may go without one");
    }
  }
}

void CheckConsistency(Config* config, const std::string& where, std::vector<std::string>* errors) {
  const TimePoint epoch;
  if (config->webhooks.retry_max.AddTo(epoch) < config->webhooks.retry_initial.AddTo(epoch)) {
    errors->push_back(where +
                      ": webhooks.retry.max must not be shorter than webhooks.retry.initial");
  }
}

}  // namespace

bool IsGlobalRole(std::string_view role) {
  return role == kAuditorRole || role == "admin" || role == "metrics";
}

std::optional<std::string> ProcessEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

bool ParseListen(std::string_view listen, std::string* host, int* port) {
  std::string_view h;
  std::string_view p;
  if (!listen.empty() && listen.front() == '[') {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return false;
    }
    h = listen.substr(1, close - 1);
    p = listen.substr(close + 2);
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return false;
    h = listen.substr(0, colon);
    p = listen.substr(colon + 1);
    if (h.find(':') != std::string_view::npos) return false;  // IPv6 needs brackets
  }
  if (p.empty() || p.size() > 5) return false;
  int n = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  *port = n;
  return true;
}

ConfigResult ParseConfig(std::string_view text, const std::string& file_name,
                         const EnvLookup& env) {
  ConfigResult result;
  result.config.source = file_name;
  Report file_report = [&](const YAML::Node& at, const std::string& message) {
    const int line = at.Mark().is_null() ? 0 : at.Mark().line + 1;
    result.errors.push_back(file_name + ":" + std::to_string(line) + ": " + message);
  };
  if (!text.empty()) {
    try {
      YAML::Node root = YAML::Load(std::string(text));
      if (root.IsMap()) {
        Walk(root, "", &result.config, file_report);
      } else if (!root.IsNull()) {
        file_report(root, "the config must be a map of keys (listen, store, workflows, ...)");
      }
    } catch (const YAML::Exception& e) {
      result.errors.push_back(file_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
  }
  for (const Key& key : kKeys) {
    const std::string name = EnvName(key.path);
    std::optional<std::string> value = env(name.c_str());
    if (!value) continue;
    Report env_report = [&](const YAML::Node&, const std::string& message) {
      result.errors.push_back("environment " + name + ": " + message);
    };
    try {
      YAML::Node node = key.raw_string ? YAML::Node(*value) : YAML::Load(*value);
      key.set(node, &result.config, env_report);
    } catch (const YAML::Exception& e) {
      result.errors.push_back("environment " + name + ": " + e.msg);
    }
  }
  CheckConsistency(&result.config, file_name.empty() ? std::string("config") : file_name,
                   &result.errors);
  const bool tokens_from_env = env(EnvName("auth.tokens").c_str()).has_value();
  CheckTokenAuthorities(result.config,
                        tokens_from_env     ? "environment " + EnvName("auth.tokens")
                        : file_name.empty() ? std::string("config")
                                            : file_name,
                        &result.errors);
  return result;
}

ConfigResult LoadConfig(const std::string& path, const EnvLookup& env) {
  std::string file = path;
  bool must_exist = !file.empty();
  if (file.empty()) {
    if (auto from_env = env("ROGATORY_CONFIG"); from_env && !from_env->empty()) {
      file = *from_env;
      must_exist = true;
    } else {
      file = kDefaultConfigPath;
    }
  }
  std::ifstream in(file);
  if (!in) {
    if (must_exist) {
      ConfigResult result;
      result.errors.push_back(file + ": cannot read the config file");
      return result;
    }
    ConfigResult result = ParseConfig("", "", env);
    return result;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), file, env);
}

}  // namespace rogatory::cli
