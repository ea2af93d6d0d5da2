// The deployment config loader (adapters/cli/config.cc): defaults, the shipped file, unknown keys
// with their line, value checks, and the ROGATORY_* environment overrides.
#include "config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>

namespace rogatory::cli {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kNoEnv = Env({});

TEST(ConfigTest, EveryKeyHasADefault) {
  ConfigResult r = ParseConfig("", "", kNoEnv);
  ASSERT_TRUE(r.ok());
  const Config& c = r.config;
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.store, "sqlite:///var/lib/rogatory/rogatory.db");
  EXPECT_EQ(c.workflows, "workflows/");
  EXPECT_TRUE(c.tokens.empty());
  EXPECT_EQ(c.webhooks.max_attempts, 12);
  EXPECT_EQ(c.webhooks.retry_initial.ToString(), "PT5S");
  EXPECT_EQ(c.webhooks.retry_max.ToString(), "PT1H");
  EXPECT_FALSE(c.webhooks.allow_private);
  EXPECT_EQ(c.limits.max_body, 1048576u);
  EXPECT_EQ(c.log.format, "text");
  EXPECT_EQ(c.log.level, "info");
}

TEST(ConfigTest, ShippedFileLoadsWithItsDefaults) {
  std::ifstream in(ROGATORY_SHIPPED_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  ConfigResult r = ParseConfig(text.str(), "config/rogatory.yaml", kNoEnv);
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.listen, "127.0.0.1:8080");
  EXPECT_EQ(r.config.store, kDefaultStore);
  EXPECT_EQ(r.config.limits.max_body, 1048576u);
  EXPECT_EQ(r.config.time_zone.name(), "UTC");
  // issuing, central, executing, admin, metrics, auditor, Paris's admin
  ASSERT_EQ(r.config.tokens.size(), 9u);
  EXPECT_EQ(r.config.tokens[4].roles, std::vector<std::string>{"metrics"});
  // The demo's two offices (CONTRACT §8): Paris issues, Berlin executes.
  ASSERT_EQ(r.config.authorities.size(), 3u);
  EXPECT_EQ(r.config.authorities[0].id, "fr.pnf");
  EXPECT_EQ(r.config.authorities[1].id, "de.sta_berlin");
  // Issue 14 point 9: Iraq's National Center for International Judicial Cooperation.
  EXPECT_EQ(r.config.authorities[2].id, "iq.ncijc");
  EXPECT_EQ(r.config.authorities[2].country, "IQ");
  EXPECT_EQ(r.config.tokens[7].authority, "iq.ncijc");
  EXPECT_EQ(r.config.tokens[7].roles, (std::vector<std::string>{"requesting_central_authority",
                                                                "requested_central_authority"}));
  EXPECT_EQ(r.config.tokens[8].roles, std::vector<std::string>{"liaison_magistrate"});
  EXPECT_EQ(r.config.tokens[8].authority, "fr.pnf");
  EXPECT_EQ(r.config.tokens[0].authority, "fr.pnf");
  EXPECT_EQ(r.config.tokens[2].authority, "de.sta_berlin");
  EXPECT_EQ(r.config.tokens[3].authority, "");  // the global admin
  EXPECT_EQ(r.config.tokens[5].roles, std::vector<std::string>{"auditor"});
  EXPECT_EQ(r.config.tokens[6].authority, "fr.pnf");
}

TEST(ConfigTest, UnknownKeysAreErrorsWithTheirLine) {
  ConfigResult r = ParseConfig(
      "listen: 127.0.0.1:9\nlimits:\n  max_body: 2048\n  max_bodies: 1\n"
      "colour: red\n",
      "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].rfind("c.yaml:4: unknown key 'limits.max_bodies'", 0), 0u) << r.errors[0];
  EXPECT_EQ(r.errors[1].rfind("c.yaml:5: unknown key 'colour'", 0), 0u) << r.errors[1];
}

TEST(ConfigTest, BadValuesAreErrorsWithTheirLine) {
  ConfigResult r = ParseConfig(
      "listen: nowhere\nwebhooks:\n  max_attempts: many\n  retry: {initial: 5s}\n"
      "  allow_private: maybe\nlog: {format: xml}\nauth:\n  tokens:\n"
      "    - {actor: a, roles: [system], sha256: \"abc\"}\n    - {actor: b, token: plain}\n",
      "c.yaml", kNoEnv);
  std::string all;
  for (const auto& e : r.errors) all += e + "\n";
  for (const char* expected : {"c.yaml:1:", "c.yaml:3:", "c.yaml:4:", "c.yaml:5:", "c.yaml:6:",
                               "c.yaml:9:", "c.yaml:10:"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\n" << all;
  }
}

TEST(ConfigTest, TimeZoneDefaultsToUtcAndComesFromTheFileOrTheEnvironment) {
  EXPECT_EQ(ParseConfig("", "", kNoEnv).config.time_zone.name(), "UTC");
  ConfigResult r = ParseConfig("time_zone: Europe/Paris\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(r.ok()) << r.errors[0];
  EXPECT_EQ(r.config.time_zone.name(), "Europe/Paris");
  r = ParseConfig("time_zone: Europe/Paris\n", "c.yaml",
                  Env({{"ROGATORY_TIME_ZONE", "Asia/Baghdad"}}));
  ASSERT_TRUE(r.ok()) << r.errors[0];
  EXPECT_EQ(r.config.time_zone.name(), "Asia/Baghdad");
}

TEST(ConfigTest, UnknownTimeZoneIsAnErrorNamingTheKey) {
  ConfigResult r = ParseConfig("listen: 127.0.0.1:9\ntime_zone: Europe/Pariss\n", "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("c.yaml:2: time_zone: unknown time zone 'Europe/Pariss'", 0), 0u)
      << r.errors[0];
  r = ParseConfig("", "", Env({{"ROGATORY_TIME_ZONE", "Mars/Olympus"}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind(
                "environment ROGATORY_TIME_ZONE: time_zone: unknown time zone 'Mars/Olympus'", 0),
            0u)
      << r.errors[0];
  r = ParseConfig("time_zone: [Europe/Paris]\n", "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("c.yaml:1: must be an IANA time zone name", 0), 0u) << r.errors[0];
}

TEST(ConfigTest, YamlSyntaxErrorsNameTheLine) {
  ConfigResult r = ParseConfig("listen: [\n", "c.yaml", kNoEnv);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors[0].rfind("c.yaml:", 0), 0u);
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  ConfigResult r =
      ParseConfig("listen: 127.0.0.1:9\nlimits: {max_body: 2048}\n", "c.yaml",
                  Env({{"ROGATORY_LISTEN", "[::1]:7000"},
                       {"ROGATORY_STORE", "postgresql://host=db port=5432 dbname=r"},
                       {"ROGATORY_LIMITS_MAX_BODY", "4096"},
                       {"ROGATORY_WEBHOOKS_ALLOW_PRIVATE", "true"},
                       {"ROGATORY_WEBHOOKS_RETRY_MAX", "PT10M"},
                       {"ROGATORY_LOG_FORMAT", "json"},
                       {"ROGATORY_AUTH_TOKENS", "[{actor: cms, roles: [admin], sha256: \"" +
                                                    std::string(64, 'a') + "\"}]"}}));
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.config.listen_host, "::1");
  EXPECT_EQ(r.config.listen_port, 7000);
  EXPECT_EQ(r.config.store, "postgresql://host=db port=5432 dbname=r");
  EXPECT_EQ(r.config.limits.max_body, 4096u);
  EXPECT_TRUE(r.config.webhooks.allow_private);
  EXPECT_EQ(r.config.webhooks.retry_max.ToString(), "PT10M");
  EXPECT_EQ(r.config.log.format, "json");
  ASSERT_EQ(r.config.tokens.size(), 1u);
  EXPECT_EQ(r.config.tokens[0].actor, "cms");
}

TEST(ConfigTest, BadEnvironmentValuesNameTheVariable) {
  ConfigResult r = ParseConfig("", "", Env({{"ROGATORY_WEBHOOKS_MAX_ATTEMPTS", "0"}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("environment ROGATORY_WEBHOOKS_MAX_ATTEMPTS:", 0), 0u);
}

TEST(ConfigTest, RetryMaxMustNotBeShorterThanInitial) {
  ConfigResult r = ParseConfig("webhooks: {retry: {initial: PT1H, max: PT5S}}\n", "c.yaml", kNoEnv);
  EXPECT_FALSE(r.ok());
}

TEST(ConfigTest, MissingNamedFileIsAnError) {
  ConfigResult r = LoadConfig("/nonexistent/rogatory.yaml", kNoEnv);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors[0].find("/nonexistent/rogatory.yaml"), std::string::npos);
}

TEST(ParseListenTest, AcceptsHostPortForms) {
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseListen("0.0.0.0:80", &host, &port));
  EXPECT_TRUE(ParseListen(":8080", &host, &port));
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_TRUE(ParseListen("[::]:8080", &host, &port));
  EXPECT_EQ(host, "::");
  for (const char* bad : {"8080", "host:", "host:99999", "::1:80", "[::1]80", "h:8o"}) {
    EXPECT_FALSE(ParseListen(bad, &host, &port)) << bad;
  }
}

}  // namespace
}  // namespace rogatory::cli

namespace rogatory::cli {
namespace {

TEST(ConfigTest, TokenActingAsSystemIsRefused) {
  // `system` is the engine's timers (deadline lapses); no client may act as them.
  ConfigResult r = ParseConfig(
      "auth:\n  tokens:\n    - {actor: ana, roles: [prosecutor], sha256: \"" +
          std::string(64, 'a') + "\"}\n    - {actor: system, roles: [admin], sha256: \"" +
          std::string(64, 'b') + "\"}\n",
      "c.yaml", Env({}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("c.yaml:4:", 0), 0u) << r.errors[0];
  EXPECT_NE(r.errors[0].find("actor 'system' is reserved"), std::string::npos) << r.errors[0];
}

TEST(ConfigTest, MaxDefinitionBytesHasADefaultAFileKeyAndAnEnvironmentVariable) {
  EXPECT_EQ(ParseConfig("", "", Env({})).config.limits.max_definition_bytes, 1048576u);
  ConfigResult r = ParseConfig("limits: {max_definition_bytes: 65536}\n", "c.yaml", Env({}));
  ASSERT_TRUE(r.ok()) << r.errors[0];
  EXPECT_EQ(r.config.limits.max_definition_bytes, 65536u);
  r = ParseConfig("", "c.yaml", Env({{"ROGATORY_LIMITS_MAX_DEFINITION_BYTES", "2048"}}));
  ASSERT_TRUE(r.ok()) << r.errors[0];
  EXPECT_EQ(r.config.limits.max_definition_bytes, 2048u);
  r = ParseConfig("limits:\n  max_definition_bytes: 12\n", "c.yaml", Env({}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("c.yaml:2:", 0), 0u) << r.errors[0];
}

// CONTRACT §8: authorities and the tokens' authority.
constexpr char kHash[] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

std::string AuthoritiesConfig(const std::string& tokens) {
  return std::string(
             "authorities:\n"
             "  - {id: fr.pnf, name: Parquet national financier, country: FR}\n"
             "  - {id: de.sta_berlin, name: Staatsanwaltschaft Berlin, country: DE}\n"
             "auth:\n"
             "  tokens:\n") +
         tokens;
}

TEST(ConfigAuthoritiesTest, AuthoritiesAndTokenAuthoritiesAreRead) {
  ConfigResult r = ParseConfig(
      AuthoritiesConfig(
          std::string("    - {actor: ana, authority: fr.pnf, roles: [issuing_authority], "
                      "sha256: \"") +
          kHash +
          "\"}\n"
          "    - {actor: audit, roles: [auditor], sha256: \"" +
          std::string(64, 'a') +
          "\"}\n"
          "    - {actor: ops, roles: [admin, metrics], sha256: \"" +
          std::string(64, 'b') + "\"}\n"),
      "c.yaml", kNoEnv);
  ASSERT_TRUE(r.ok()) << r.errors[0];
  ASSERT_EQ(r.config.authorities.size(), 2u);
  EXPECT_EQ(r.config.authorities[1].id, "de.sta_berlin");
  EXPECT_EQ(r.config.authorities[1].name, "Staatsanwaltschaft Berlin");
  EXPECT_EQ(r.config.authorities[1].country, "DE");
  EXPECT_EQ(r.config.tokens[0].authority, "fr.pnf");
  EXPECT_EQ(r.config.tokens[1].authority, "");
}

TEST(ConfigAuthoritiesTest, BadAuthoritiesAreErrorsWithTheirLine) {
  struct Case {
    const char* entry;
    const char* message;
  } cases[] = {
      {"{id: Fr.PNF, name: x, country: FR}", "authority id 'Fr.PNF' is invalid"},
      {"{id: fr.pnf, name: x, country: XX}", "country 'XX' is not an assigned ISO 3166-1 alpha-2"},
      {"{id: fr.pnf, name: x, country: fr}", "write it in upper case: FR"},
      {"{id: fr.pnf, name: x, country: FRA}", "country 'FRA' is not an assigned"},
      {"{id: fr.pnf, country: FR}", "an authority needs its name"},
      {"{id: fr.pnf, name: x, country: FR, city: Paris}", "unknown key 'city' in an authority"},
  };
  for (const Case& c : cases) {
    ConfigResult r = ParseConfig(
        std::string("listen: 127.0.0.1:1\nauthorities:\n  - ") + c.entry + "\n", "c.yaml", kNoEnv);
    ASSERT_EQ(r.errors.size(), 1u) << c.entry;
    EXPECT_NE(r.errors[0].find("c.yaml:3: "), std::string::npos) << r.errors[0];
    EXPECT_NE(r.errors[0].find(c.message), std::string::npos) << r.errors[0];
  }
}

TEST(ConfigAuthoritiesTest, DuplicateAuthorityIdsAreRefused) {
  ConfigResult r = ParseConfig(
      "authorities:\n  - {id: fr.pnf, name: a, country: FR}\n  - {id: fr.pnf, name: b, "
      "country: FR}\n",
      "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("c.yaml:3: authority 'fr.pnf' is listed twice"), std::string::npos)
      << r.errors[0];
}

TEST(ConfigAuthoritiesTest, WithAuthoritiesATokenWithAWorkflowRoleNeedsOne) {
  ConfigResult r = ParseConfig(
      AuthoritiesConfig(std::string("    - {actor: ana, roles: [issuing_authority], sha256: \"") +
                        kHash + "\"}\n"),
      "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("c.yaml:6: the token of actor 'ana' needs an authority"),
            std::string::npos)
      << r.errors[0];
}

TEST(ConfigAuthoritiesTest, ATokensAuthorityMustBeConfigured) {
  ConfigResult r =
      ParseConfig(AuthoritiesConfig(
                      std::string("    - {actor: ana, authority: es.fge, roles: [x], sha256: \"") +
                      kHash + "\"}\n"),
                  "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("names authority 'es.fge', which is not configured (known: fr.pnf, "
                             "de.sta_berlin)"),
            std::string::npos)
      << r.errors[0];
  ConfigResult none = ParseConfig(
      std::string(
          "auth:\n  tokens:\n    - {actor: ana, authority: fr.pnf, roles: [x], sha256: \"") +
          kHash + "\"}\n",
      "c.yaml", kNoEnv);
  ASSERT_EQ(none.errors.size(), 1u);
  EXPECT_NE(none.errors[0].find("the config has no authorities"), std::string::npos)
      << none.errors[0];
}

TEST(ConfigAuthoritiesTest, AuthoritiesComeFromTheEnvironmentToo) {
  ConfigResult r = ParseConfig(
      "", "", Env({{"ROGATORY_AUTHORITIES", "[{id: iq.ncijc, name: NCIJC, country: IQ}]"}}));
  ASSERT_TRUE(r.ok()) << r.errors[0];
  ASSERT_EQ(r.config.authorities.size(), 1u);
  EXPECT_EQ(r.config.authorities[0].country, "IQ");
}

}  // namespace
}  // namespace rogatory::cli

namespace rogatory::cli {
namespace {

// store.sqlite.synchronous (issue 16): `store` is a URL or a map {url, sqlite: {synchronous}}.
TEST(ConfigTest, StoreSqliteSynchronousIsFullByDefaultAndNormalWhenAsked) {
  ConfigResult plain = ParseConfig("store: sqlite://a.db\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(plain.ok()) << plain.errors.front();
  EXPECT_EQ(plain.config.store, "sqlite://a.db");
  EXPECT_EQ(plain.config.sqlite_synchronous, "FULL");

  ConfigResult map = ParseConfig(
      "store:\n  url: sqlite://b.db\n  sqlite:\n    synchronous: normal\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(map.ok()) << map.errors.front();
  EXPECT_EQ(map.config.store, "sqlite://b.db");
  EXPECT_EQ(map.config.sqlite_synchronous, "NORMAL");

  ConfigResult env = ParseConfig("", "", Env({{"ROGATORY_STORE_SQLITE_SYNCHRONOUS", "NORMAL"}}));
  ASSERT_TRUE(env.ok()) << env.errors.front();
  EXPECT_EQ(env.config.sqlite_synchronous, "NORMAL");
}

// store.sqlite.`key`: each of `bad` is refused at its line (4) with the accepted `range`.
void ExpectSqliteKeyRefused(const std::string& key, std::initializer_list<const char*> bad,
                            const std::string& range) {
  for (const char* value : bad) {
    ConfigResult r =
        ParseConfig("store:\n  url: sqlite://b.db\n  sqlite:\n    " + key + ": " + value + "\n",
                    "c.yaml", kNoEnv);
    ASSERT_FALSE(r.ok()) << key << ": " << value;
    EXPECT_NE(r.errors.front().find("c.yaml:4:"), std::string::npos) << r.errors.front();
    EXPECT_NE(r.errors.front().find(range), std::string::npos) << r.errors.front();
  }
}

// store.sqlite.checkpoint_pages (issue 16): unset leaves the store's default; a positive count
// from the file or the environment; anything else refused with its line.
TEST(ConfigTest, StoreSqliteCheckpointPagesIsACountOfPages) {
  ConfigResult plain = ParseConfig("store: sqlite://a.db\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(plain.ok()) << plain.errors.front();
  EXPECT_EQ(plain.config.sqlite_checkpoint_pages, 0);

  ConfigResult map = ParseConfig(
      "store:\n  url: sqlite://b.db\n  sqlite:\n    checkpoint_pages: 16000\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(map.ok()) << map.errors.front();
  EXPECT_EQ(map.config.sqlite_checkpoint_pages, 16000);

  ConfigResult env = ParseConfig("", "", Env({{"ROGATORY_STORE_SQLITE_CHECKPOINT_PAGES", "2000"}}));
  ASSERT_TRUE(env.ok()) << env.errors.front();
  EXPECT_EQ(env.config.sqlite_checkpoint_pages, 2000);

  ExpectSqliteKeyRefused("checkpoint_pages", {"0", "-5", "many", "2000000"}, "from 1 to 1000000");
}

// store.sqlite.request_cache: unset leaves the store's default (-1 here); 0 keeps none; a count
// from the file or the environment; anything else refused with its line.
TEST(ConfigTest, StoreSqliteRequestCacheIsACountOfRequests) {
  ConfigResult plain = ParseConfig("store: sqlite://a.db\n", "c.yaml", kNoEnv);
  ASSERT_TRUE(plain.ok()) << plain.errors.front();
  EXPECT_EQ(plain.config.sqlite_request_cache, -1);

  ConfigResult none = ParseConfig("store:\n  url: sqlite://b.db\n  sqlite:\n    request_cache: 0\n",
                                  "c.yaml", kNoEnv);
  ASSERT_TRUE(none.ok()) << none.errors.front();
  EXPECT_EQ(none.config.sqlite_request_cache, 0);

  ConfigResult env = ParseConfig("", "", Env({{"ROGATORY_STORE_SQLITE_REQUEST_CACHE", "4096"}}));
  ASSERT_TRUE(env.ok()) << env.errors.front();
  EXPECT_EQ(env.config.sqlite_request_cache, 4096);

  ExpectSqliteKeyRefused("request_cache", {"-1", "many", "2000000"}, "from 0 to 1000000");
}

TEST(ConfigTest, StoreSqliteSynchronousRefusesOtherLevelsWithTheirLine) {
  ConfigResult r =
      ParseConfig("store:\n  url: sqlite://b.db\n  sqlite:\n    synchronous: OFF\n    cache: 1\n",
                  "c.yaml", kNoEnv);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0], "c.yaml:4: must be FULL or NORMAL");
  EXPECT_NE(r.errors[1].find("c.yaml:5: unknown key 'store.sqlite.cache'"), std::string::npos)
      << r.errors[1];
}

}  // namespace
}  // namespace rogatory::cli
