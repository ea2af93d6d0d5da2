// Random values the API hands out: webhook signing secrets and subscription ids, drawn from
// OpenSSL's CSPRNG.
#ifndef ROGATORY_ADAPTERS_HTTP_SECRETS_H_
#define ROGATORY_ADAPTERS_HTTP_SECRETS_H_

#include <string>

#include "rogatory/status.h"

namespace rogatory::http {

// "whsec_" + base64 of 32 random bytes (Standard Webhooks). Internal if the CSPRNG fails.
Result<std::string> NewWebhookSecret();

// `prefix` + 12 hex digits of the current time in milliseconds (so ids sort by creation) + 16
// random hex digits, e.g. "sub_018f3a...". Internal if the CSPRNG fails.
Result<std::string> NewSortableId(const std::string& prefix);

}  // namespace rogatory::http

#endif  // ROGATORY_ADAPTERS_HTTP_SECRETS_H_
