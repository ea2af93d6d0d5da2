// The background services `rogatory serve` runs next to the HTTP server (the deadline
// scheduler, the webhook dispatcher): started after the store opens and the definitions are
// loaded, stopped (in reverse order) after the server has stopped and before the store closes.
#ifndef ROGATORY_ADAPTERS_CLI_SERVE_SERVICES_H_
#define ROGATORY_ADAPTERS_CLI_SERVE_SERVICES_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "rogatory/engine.h"
#include "rogatory/http_server.h"
#include "rogatory/status.h"
#include "rogatory/store.h"

namespace rogatory::cli {

// One background service. `start` may spawn threads and returns an error to abort startup;
// `stop` must return only when the service no longer touches the engine or the store.
struct BackgroundService {
  std::string name;
  std::function<Status()> start;
  std::function<void()> stop;
};

// What a service may use, and how it can hook into the HTTP server.
struct ServeContext {
  const Config& config;
  Engine& engine;
  std::shared_ptr<Store> store;
  // Appended to /metrics on every scrape (e.g. an overdue-deadlines gauge, delivery counters).
  std::vector<MetricsCollector>* metrics_collectors;
  // Called by the API after each call that may have written outbox rows; a dispatcher sets it
  // to wake itself. Must be thread-safe and must not block.
  std::function<void()>* on_outbox_written;
};

// The services to run, in start order. Called once, before the HTTP server is built, so the
// hooks above can still be filled in. Add a service by appending to the list in
// serve_services.cc.
std::vector<BackgroundService> MakeBackgroundServices(ServeContext& context);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SERVE_SERVICES_H_
