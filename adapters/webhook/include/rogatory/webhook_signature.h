// Standard Webhooks signing (https://www.standardwebhooks.com/, CONTRACT §5): the headers that
// let a consumer check that a webhook came from Rogatory and was not altered or replayed.
#ifndef ROGATORY_WEBHOOK_SIGNATURE_H_
#define ROGATORY_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "rogatory/status.h"

namespace rogatory {

// The three Standard Webhooks headers of one send.
struct WebhookHeaders {
  std::string id;         // webhook-id: "msg_<delivery id>", the same on every retry
  std::string timestamp;  // webhook-timestamp: unix seconds of this attempt
  std::string signature;  // webhook-signature: "v1,<base64 HMAC-SHA256>"
};

// Signs `body` for the attempt at `unix_seconds`: the signature is
// base64(HMAC-SHA256(key, "{webhook_id}.{unix_seconds}.{body}")) where `secret` is
// "whsec_<base64 key>". InvalidArgument if `secret` lacks the prefix or its key is not base64.
Result<WebhookHeaders> SignWebhook(std::string_view secret, std::string_view webhook_id,
                                   int64_t unix_seconds, std::string_view body);

// The webhook-id of outbox row `delivery_id`: "msg_<delivery_id>".
std::string WebhookId(std::string_view delivery_id);

// A new random secret, "whsec_" + base64 of 32 random bytes. Internal if the system's random
// source fails.
Result<std::string> NewWebhookSecret();

}  // namespace rogatory

#endif  // ROGATORY_WEBHOOK_SIGNATURE_H_
