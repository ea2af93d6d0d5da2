#include "serve_services.h"

namespace rogatory::cli {

std::vector<BackgroundService> MakeBackgroundServices(ServeContext& context) {
  std::vector<BackgroundService> services;
  // The deadline scheduler and the webhook dispatcher join here, e.g.:
  //   auto dispatcher = std::make_shared<WebhookDispatcher>(context.engine, ...);
  //   *context.on_outbox_written = [dispatcher] { dispatcher->Wake(); };
  //   context.metrics_collectors->push_back([dispatcher](std::string* out) { ... });
  //   services.push_back({"webhook dispatcher", [dispatcher] { return dispatcher->Start(); },
  //                       [dispatcher] { dispatcher->Stop(); }});
  (void)context;
  return services;
}

}  // namespace rogatory::cli
