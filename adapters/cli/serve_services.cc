// The background services of `rogatory serve`: the deadline scheduler and the webhook
// dispatcher, with their /metrics lines and the API's outbox hook.
#include "serve_services.h"

#include <spdlog/spdlog.h>

#include "background_metrics.h"
#include "rogatory/deadline_scheduler.h"
#include "rogatory/webhook_dispatcher.h"
#include "workflow_reload.h"

namespace rogatory::cli {
namespace {

// An ISO duration as exact time (a month counted from the epoch: config durations are short).
Duration Exact(const IsoDuration& d) { return d.AddTo(TimePoint()) - TimePoint(); }

WebhookDispatcherOptions DispatcherOptions(const Config& config, const std::string& node_id) {
  WebhookDispatcherOptions o;
  o.node_id = node_id;
  o.retry.max_attempts = config.webhooks.max_attempts;
  o.retry.initial = Exact(config.webhooks.retry_initial);
  o.retry.max = Exact(config.webhooks.retry_max);
  o.timeout = Exact(config.webhooks.timeout);
  o.lease = Exact(config.webhooks.lease);
  o.workers = config.webhooks.workers;
  o.allow_private = config.webhooks.allow_private;
  o.on_error = [](const Status& s) { spdlog::warn("webhook dispatcher: {}", s.ToString()); };
  return o;
}

}  // namespace

std::vector<BackgroundService> MakeBackgroundServices(ServeContext& context) {
  std::vector<BackgroundService> services;
  const std::string node_id = DefaultNodeId();

  // Webhooks first, so the lapses the scheduler fires at startup find it running.
  auto dispatcher = std::make_shared<WebhookDispatcher>(context.store,
                                                        DispatcherOptions(context.config, node_id));
  *context.on_outbox_written = [dispatcher] { dispatcher->Wake(); };
  context.metrics_collectors->push_back(
      [dispatcher](std::string* out) { AppendWebhookMetrics(dispatcher->stats(), out); });
  services.push_back({"webhook dispatcher (node " + node_id + ")",
                      [dispatcher] {
                        dispatcher->Start();
                        return OkStatus();
                      },
                      [dispatcher] { dispatcher->Stop(); }});

  DeadlineSchedulerOptions so;
  so.node_id = node_id;
  so.on_error = [](const Status& s) { spdlog::warn("deadline scheduler: {}", s.ToString()); };
  so.on_fired = [dispatcher] { dispatcher->Wake(); };  // its deadline.expired event
  auto scheduler = std::make_shared<DeadlineScheduler>(context.engine, so);
  Engine* engine = &context.engine;
  context.metrics_collectors->push_back([scheduler, engine](std::string* out) {
    auto overdue = engine->store().CountOverdueDeadlines(engine->clock().Now());
    AppendDeadlineMetrics(scheduler->stats(),
                          overdue.ok() ? std::optional<int64_t>(*overdue) : std::nullopt, out);
  });
  services.push_back({"deadline scheduler",
                      [scheduler] {
                        scheduler->Start();
                        return OkStatus();
                      },
                      [scheduler] { scheduler->Stop(); }});

  // Definitions other nodes were given (POST /v1/workflows) reach this one within a second.
  auto poller = std::make_shared<DefinitionPoller>(context.engine, std::chrono::seconds(1));
  services.push_back({"definition poll",
                      [poller] {
                        poller->Start();
                        return OkStatus();
                      },
                      [poller] { poller->Stop(); }});
  return services;
}

}  // namespace rogatory::cli
