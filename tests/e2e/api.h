// A small HTTP client for the e2e tests: one call, its status, headers and JSON body.
#ifndef ROGATORY_TESTS_E2E_API_H_
#define ROGATORY_TESTS_E2E_API_H_

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "e2e_env.h"

namespace rogatory::e2e {

struct Answer {
  int status = 0;       // 0: no answer (connection error)
  std::string text;     // the raw body
  nlohmann::json json;  // the body parsed (null when not JSON)
  httplib::Headers headers;
  std::string Header(const std::string& name) const;
  // The error code of an error body, or "".
  std::string ErrorCode() const;
};

using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

class Api {
 public:
  explicit Api(int port = SharedPort());

  // Each call sends `Authorization: Bearer token` when `token` is not empty.
  Answer Get(const std::string& path, const std::string& token, const ExtraHeaders& extra = {});
  Answer Post(const std::string& path, const std::string& token, const std::string& body,
              const ExtraHeaders& extra = {});
  Answer Post(const std::string& path, const std::string& token, const nlohmann::json& body,
              const ExtraHeaders& extra = {}) {
    return Post(path, token, body.dump(), extra);
  }
  Answer Delete(const std::string& path, const std::string& token);
  Answer Put(const std::string& path, const std::string& token, const std::string& body);
  Answer Patch(const std::string& path, const std::string& token, const std::string& body);

  // Creates a `case` request as the clerk; its id (fails the test when refused).
  std::string CreateCase(const nlohmann::json& data = {{"title", "e2e"}});
  // Fires `event` on `id` with `token`.
  Answer Fire(const std::string& id, const std::string& event, const std::string& token,
              const nlohmann::json& extra = nlohmann::json::object(),
              const ExtraHeaders& headers = {});

 private:
  httplib::Headers Headers(const std::string& token, const ExtraHeaders& extra) const;
  static Answer From(const httplib::Result& r);
  httplib::Client client_;
};

// Sends raw bytes on a fresh connection and returns what arrives within `timeout_ms`
// (stopping at the first complete response head plus body when it has a Content-Length).
std::string RawExchange(int port, const std::string& bytes, int timeout_ms = 3000);

}  // namespace rogatory::e2e

#endif  // ROGATORY_TESTS_E2E_API_H_
