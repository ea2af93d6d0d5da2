// `rogatory serve [--config FILE]`: loads the config and the workflow definitions, opens the
// store, builds the engine, starts the background services and the REST API, and on SIGTERM or
// SIGINT stops them in reverse order: no new connections, in-flight calls answered, services
// stopped, store closed, exit 0.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "background_metrics.h"
#include "commands.h"
#include "config.h"
#include "logging.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/graph_svg.h"
#include "rogatory/http_server.h"
#include "rogatory/sql_store.h"
#include "serve_services.h"
#include "workflow_reload.h"

namespace rogatory::cli {
namespace {

constexpr char kServeUsage[] =
    "usage: rogatory serve [--config FILE]\n"
    "\n"
    "Runs the REST API, the deadline scheduler and the webhook dispatcher.\n"
    "The config is FILE, else $ROGATORY_CONFIG, else config/rogatory.yaml if it exists, else\n"
    "the built-in defaults; ROGATORY_* environment variables override it (docs/operations.md).\n"
    "SIGTERM or SIGINT stops the server gracefully. SIGHUP reloads the workflows: folder\n"
    "(new versions only; when any file is invalid nothing changes and the problems are logged).\n"
    "Definitions deployed on another node (POST /v1/workflows) are picked up within a second.\n";

// The SHA-256 of the demo tokens shipped in config/rogatory.yaml (README's curl session).
constexpr std::string_view kDemoTokenHashes[] = {
    "884a2aa621dff8d645927c900cf2458edffa740365d4a45ef3ab290cbfacdb94",  // demo-issuing-token
    "0ecdfa676b35d546ff46de82eaf0a9ae4f52209c4518959dccb8f2e3a175dc3a",  // demo-central-token
    "12678cd63538d0558d0b3135e52d94e524a01b8a9023627448c927cdb464ffc0",  // demo-executing-token
    "91c16f0d6cc1bec3c3603972182a07c66ff4fa71618a975e963d6dbe42b6dd37",  // demo-admin-token
    "7db5cc1a8926c21400b54e1ba69bc6cac9b3bb916ce8df7afdea3d9aca466cf0",  // demo-metrics-token
    "d0ad8bb68835a23576c95ef7ddd7c1ffaec451daaf8de46902e7e82b1786886c",  // demo-auditor-token
    "6790599ead2cd0030cd45aa218914574f1db6be99805c6960e017d5097d28eda",  // demo-paris-admin-token
    "a115eec8bea41951143900ef3228295abf4e343ebb1cb086261a65025ef74f0a",  // demo-ncijc-token
    "9fe1d5fdb6e93aea7ef9f4d0b1e9f1fad7822acacc556b18545ceadbd57479b3",  // demo-liaison-token
};

// For an SQLite file store, creates the folder the file lives in, so the default
// sqlite:///var/lib/rogatory/rogatory.db works on a fresh machine. Returns false (and logs)
// when the folder cannot be created.
bool PrepareSqliteFolder(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite://";
  if (url.rfind(kScheme, 0) != 0) return true;
  std::string path = url.substr(kScheme.size());
  if (path.empty() || path == ":memory:" || path.rfind(":memory:", 0) == 0) return true;
  const size_t query = path.find('?');
  if (query != std::string::npos) path.resize(query);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return true;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    spdlog::critical(
        "cannot create the store folder {}: {} (run as a user who may, or set store: / "
        "ROGATORY_STORE to a writable place, e.g. sqlite://rogatory.db)",
        parent.string(), ec.message());
    return false;
  }
  return true;
}

HttpServerOptions MakeHttpOptions(const Config& config) {
  HttpServerOptions o;
  o.host = config.listen_host;
  o.port = config.listen_port;
  for (const TokenConfig& t : config.tokens) {
    o.tokens.push_back({t.actor, t.roles, t.sha256, t.authority});
  }
  o.max_body = config.limits.max_body;
  o.allow_private_webhooks = config.webhooks.allow_private;
  o.threads = config.http.threads;
  o.keep_alive_max = config.http.keep_alive_max;
  o.keep_alive_timeout = config.http.keep_alive_timeout;
  o.json_logs = config.log.format == "json";
  // The console's workflow diagrams: the same SVG as `rogatory graph --format svg`.
  o.draw_diagram = [](const WorkflowDefinition& def) { return RenderSvg(def); };
  return o;
}

// Blocks SIGTERM, SIGINT and SIGHUP in this thread and every thread it starts afterwards, so
// that WaitForStopSignal receives them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForStopSignal(const sigset_t& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void WarnAboutDemoTokens(const Config& config) {
  std::string actors;
  for (const TokenConfig& t : config.tokens) {
    for (std::string_view demo : kDemoTokenHashes) {
      if (t.sha256 == demo) actors += (actors.empty() ? "" : ", ") + t.actor;
    }
  }
  if (!actors.empty()) {
    spdlog::warn(
        "auth.tokens: {} use the demo tokens of the shipped config; replace them before "
        "real use",
        actors);
  }
}

}  // namespace

int RunServe(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kServeUsage;
      return 0;
    }
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = std::string(arg.substr(9));
    } else {
      std::cerr << "rogatory serve: unexpected argument '" << arg << "'\n\n" << kServeUsage;
      return 2;
    }
  }

  const sigset_t stop_signals = BlockStopSignals();
  ConfigResult loaded = LoadConfig(config_path);
  if (!loaded.ok()) {
    for (const std::string& e : loaded.errors) std::cerr << e << "\n";
    return 2;
  }
  const Config& config = loaded.config;
  SetupLogging(config.log.format, config.log.level);
  // Declared before everything that logs, so destroyed after it: every line is written out.
  struct LoggingGuard {
    ~LoggingGuard() { ShutdownLogging(); }
  } logging_guard;
  spdlog::info("config: {}", config.source.empty() ? "built-in defaults" : config.source);
  WarnAboutDemoTokens(config);
  if (config.tokens.empty()) {
    spdlog::warn("auth.tokens is empty: every route but /v1/health will answer 401");
  }

  DefinitionLimits definition_limits;
  definition_limits.max_file_bytes = config.limits.max_definition_bytes;
  LoadReport report = LoadDefinitions({config.workflows}, definition_limits);
  if (!report.ok()) {
    std::cerr << report.ErrorText();
    if (!report.ErrorText().empty() && report.ErrorText().back() != '\n') std::cerr << "\n";
    spdlog::critical("refusing to start: the definitions under {} are not valid", config.workflows);
    return 1;
  }
  if (report.definitions.empty()) {
    spdlog::warn("no workflow definitions under {}", config.workflows);
  }
  for (const DefinitionError& w : report.warnings) {
    spdlog::warn("{}:{}: warning: {}", w.file, w.line, w.message);
  }

  if (!PrepareSqliteFolder(config.store)) return 1;
  SqlStoreOptions store_options;
  store_options.sqlite_synchronous =
      config.sqlite_synchronous == "NORMAL" ? SqliteSync::kNormal : SqliteSync::kFull;
  if (config.sqlite_checkpoint_pages > 0) {
    store_options.checkpoint_pages = config.sqlite_checkpoint_pages;
  }
  if (config.sqlite_request_cache >= 0) store_options.request_cache = config.sqlite_request_cache;
  Result<std::unique_ptr<Store>> opened = OpenStore(config.store, store_options);
  if (!opened.ok()) {
    spdlog::critical("cannot open the store {}: {}", RedactStoreUrl(config.store),
                     opened.status().ToString());
    return 1;
  }
  std::shared_ptr<Store> store = std::move(*opened);
  const bool sqlite = config.store.rfind("sqlite:", 0) == 0;
  spdlog::info("store: {}{}", RedactStoreUrl(config.store),
               sqlite && config.sqlite_synchronous == "NORMAL"
                   ? " (synchronous = NORMAL: a power loss may lose the last commits)"
                   : "");
  if (sqlite) {
    // store.sqlite.request_cache: memory an operator may want to see at start (about 5 KB each).
    spdlog::info(
        "store: keeps the last {} requests it committed in memory (store.sqlite.request_cache)",
        store_options.request_cache);
  }

  EngineOptions engine_options;
  engine_options.store = store;
  engine_options.time_zone = config.time_zone;
  for (const AuthorityConfig& a : config.authorities) {
    engine_options.authorities.push_back({a.id, a.name, a.country});
  }
  spdlog::info("time zone: {} (for deadlines counted in whole days)", config.time_zone.name());
  if (!config.authorities.empty()) {
    spdlog::info("authorities: {} (each token sees only its authority's requests)",
                 config.authorities.size());
  }
  auto engine = std::make_unique<Engine>(std::move(engine_options));
  for (const WorkflowDefinition& def : report.definitions) {
    Status s = engine->LoadDefinition(def);
    if (!s.ok()) {
      spdlog::critical("cannot load {} version {} ({}): {}", def.id, def.version, def.source_name,
                       s.ToString());
      return 1;
    }
  }
  spdlog::info("workflows: {} definitions from {}", report.definitions.size(), config.workflows);
  // Versions deployed through the API (here or on another node) live in the store.
  SyncStoredDefinitions(*engine);

  HttpServerOptions http_options = MakeHttpOptions(config);
  if (store->KeptCounters()) {
    http_options.metrics_collectors.push_back([store](std::string* out) {
      if (std::optional<StoreKeptCounters> kept = store->KeptCounters()) {
        AppendStoreKeptMetrics(*kept, out);
      }
    });
  }
  ServeContext context{config, *engine, store, &http_options.metrics_collectors,
                       &http_options.on_outbox_written};
  std::vector<BackgroundService> services = MakeBackgroundServices(context);
  std::vector<BackgroundService*> started;
  auto stop_services = [&] {
    for (auto it = started.rbegin(); it != started.rend(); ++it) {
      spdlog::info("stopping {}", (*it)->name);
      (*it)->stop();
    }
    started.clear();
  };
  for (BackgroundService& service : services) {
    Status s = service.start();
    if (!s.ok()) {
      spdlog::critical("cannot start {}: {}", service.name, s.ToString());
      stop_services();
      return 1;
    }
    spdlog::info("started {}", service.name);
    started.push_back(&service);
  }

  auto server = std::make_unique<HttpServer>(*engine, std::move(http_options));
  // The start-up lines (config, store, time zone, workflows) are out before the first answer:
  // whoever polls /v1/health until it answers reads them at once. A flush only after Start()
  // raced with that answer (CI saw a log without the time zone line).
  spdlog::default_logger()->flush();
  if (Status s = server->Start(); !s.ok()) {
    spdlog::critical("cannot start the HTTP server: {}", s.ToString());
    stop_services();
    return 1;
  }
  spdlog::info("listening on http://{}:{}",
               config.listen_host.find(':') != std::string::npos ? "[" + config.listen_host + "]"
                                                                 : config.listen_host,
               server->port());
  // The port line out at once too, not at the next second's flush.
  spdlog::default_logger()->flush();

  int sig = WaitForStopSignal(stop_signals);
  while (sig == SIGHUP) {
    spdlog::info("SIGHUP received: reloading {}", config.workflows);
    ReloadWorkflowFolder(*engine, config.workflows, definition_limits);
    spdlog::default_logger()->flush();  // what the reload loaded or refused, at once
    sig = WaitForStopSignal(stop_signals);
  }
  spdlog::info("{} received: stopping (in-flight calls finish first)",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  server->Stop();
  server.reset();
  stop_services();
  engine.reset();
  store.reset();  // the last reference: closes the database
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace rogatory::cli
