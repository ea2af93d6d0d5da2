// Every error status of CONTRACT §4 with its {"error": {code, message}} body, and bad input the
// server must survive.
#include <gtest/gtest.h>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

void ExpectError(const Answer& a, int status, const std::string& code) {
  EXPECT_EQ(a.status, status) << a.text;
  ASSERT_TRUE(a.json.is_object()) << a.text;
  ASSERT_TRUE(a.json.contains("error")) << a.text;
  EXPECT_EQ(a.json["error"]["code"], code) << a.text;
  EXPECT_TRUE(a.json["error"]["message"].is_string()) << a.text;
  EXPECT_EQ(a.Header("Content-Type"), "application/json");
}

TEST(ErrorsTest, MalformedBodiesAre400) {
  Api api;
  ExpectError(api.Post("/v1/requests", kClerkToken, std::string("{\"workflow\": ")), 400,
              "malformed_json");
  ExpectError(api.Post("/v1/requests", kClerkToken, std::string("[1, 2]")), 400, "malformed_json");
  ExpectError(api.Post("/v1/requests", kClerkToken, std::string("")), 400, "malformed_json");
  ExpectError(api.Post("/v1/requests", kClerkToken, std::string(100, '[')), 400, "malformed_json");
  const std::string id = api.CreateCase();
  ExpectError(api.Post("/v1/requests/" + id + "/events", kClerkToken, std::string("not json")), 400,
              "malformed_json");
}

TEST(ErrorsTest, BadQueryParametersAre400) {
  Api api;
  ExpectError(api.Get("/v1/requests?limit=0", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/requests?limit=abc", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/requests?phase=limbo", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/requests?overdue=yes", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/requests?stat=draft", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/workflows/case?version=x", kClerkToken), 400, "invalid_query");
  ExpectError(api.Get("/v1/deliveries?status=lost", kAdminToken), 400, "invalid_query");
}

TEST(ErrorsTest, BadIdempotencyKeyIs400) {
  Api api;
  ExpectError(
      api.Post("/v1/requests", kClerkToken, json{{"workflow", "case"}, {"data", {{"title", "t"}}}},
               {{"Idempotency-Key", std::string(300, 'k')}}),
      400, "invalid_header");
}

TEST(ErrorsTest, MissingOrBadTokenIs401WithChallenge) {
  Api api;
  Answer a = api.Get("/v1/workflows", "");
  ExpectError(a, 401, "unauthenticated");
  EXPECT_NE(a.Header("WWW-Authenticate").find("Bearer"), std::string::npos);
  a = api.Get("/v1/workflows", "not-a-token");
  ExpectError(a, 401, "unauthenticated");
  EXPECT_NE(a.Header("WWW-Authenticate").find("invalid_token"), std::string::npos);
  a = api.Get("/v1/workflows", "", {{"Authorization", std::string("Basic ") + kClerkToken}});
  ExpectError(a, 401, "unauthenticated");
  // The token's hash is not the token.
  a = api.Get("/v1/workflows", Sha256Hex(kClerkToken));
  ExpectError(a, 401, "unauthenticated");
}

TEST(ErrorsTest, RoleThatMayNotFireIs403) {
  Api api;
  const std::string id = api.CreateCase();
  ExpectError(api.Fire(id, "send", kJudgeToken), 403, "permission_denied");
  ExpectError(api.Fire(id, "send", kNobodyToken), 403, "permission_denied");
  ExpectError(api.Fire(id, "send", kAdminToken), 403, "permission_denied");
}

TEST(ErrorsTest, UnknownThingsAre404) {
  Api api;
  ExpectError(api.Get("/v1/requests/NOSUCHREQUEST", kClerkToken), 404, "not_found");
  ExpectError(api.Fire("NOSUCHREQUEST", "send", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/v1/requests/NOSUCHREQUEST/history", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/v1/requests/NOSUCHREQUEST/events", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/v1/workflows/nosuch", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/v1/workflows/case?version=99", kClerkToken), 404, "not_found");
  ExpectError(api.Post("/v1/requests", kClerkToken, json{{"workflow", "nosuch"}}), 404,
              "not_found");
  ExpectError(api.Get("/v1/nosuch", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/v1/requests/x/y/z", kClerkToken), 404, "not_found");
  ExpectError(api.Get("/", ""), 404, "not_found");
}

TEST(ErrorsTest, WrongMethodIs405WithAllow) {
  Api api;
  Answer a = api.Put("/v1/requests", kClerkToken, "{}");
  ExpectError(a, 405, "method_not_allowed");
  EXPECT_NE(a.Header("Allow").find("GET"), std::string::npos);
  EXPECT_NE(a.Header("Allow").find("POST"), std::string::npos);
  ExpectError(api.Delete("/v1/requests/x", kClerkToken), 405, "method_not_allowed");
  ExpectError(api.Post("/v1/health", "", std::string("{}")), 405, "method_not_allowed");
}

TEST(ErrorsTest, EventNotAllowedInStateIs409FailedPrecondition) {
  Api api;
  const std::string id = api.CreateCase();
  ExpectError(api.Fire(id, "accept", kJudgeToken), 409, "failed_precondition");
  ExpectError(api.Fire(id, "nosuchevent", kJudgeToken), 409, "failed_precondition");
}

TEST(ErrorsTest, StaleExpectedRevisionIs409Aborted) {
  Api api;
  const std::string id = api.CreateCase();
  ASSERT_EQ(api.Fire(id, "note", kClerkToken, {{"expected_revision", 1}}).status, 200);
  ExpectError(api.Fire(id, "note", kClerkToken, {{"expected_revision", 1}}), 409, "aborted");
}

TEST(ErrorsTest, DeclaredOversizedBodyIs413BeforeTheBodyIsSent) {
  // Only the head is sent: the answer must come without waiting for the 50 MB body.
  const std::string reply = RawExchange(
      SharedPort(), std::string("POST /v1/requests HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                        kClerkToken +
                        "\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  EXPECT_NE(reply.find("payload_too_large"), std::string::npos) << reply;
}

TEST(ErrorsTest, OversizedBodyIs413) {
  Api api;
  json body{{"workflow", "case"}, {"data", {{"title", std::string(20000, 'x')}}}};
  ExpectError(api.Post("/v1/requests", kClerkToken, body), 413, "payload_too_large");
}

TEST(ErrorsTest, OversizedChunkedBodyIs413) {
  std::string chunk(20000, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  const std::string reply =
      RawExchange(SharedPort(), std::string("POST /v1/requests HTTP/1.1\r\nHost: x\r\n"
                                            "Authorization: Bearer ") +
                                    kClerkToken + "\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                                    "\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 200);
}

TEST(ErrorsTest, InvalidFieldsAre422) {
  Api api;
  // Missing required field, wrong types, unknown top-level fields, unknown data fields.
  ExpectError(api.Post("/v1/requests", kClerkToken, json{{"workflow", "case"}}), 422,
              "invalid_argument");
  ExpectError(
      api.Post("/v1/requests", kClerkToken, json{{"workflow", "case"}, {"data", {{"title", 5}}}}),
      422, "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken,
                       json{{"workflow", "case"}, {"data", {{"title", "t"}, {"amount", "many"}}}}),
              422, "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken,
                       json{{"workflow", "case"}, {"data", {{"title", "t"}, {"colour", "red"}}}}),
              422, "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken,
                       json{{"workflow", "case"}, {"data", {{"title", "t"}}}, {"extra", 1}}),
              422, "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken, json{{"workflow", 7}}), 422,
              "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken,
                       json{{"workflow", "case"}, {"data", {{"title", "t"}}}, {"version", "2"}}),
              422, "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken, json{{"workflow", "case"}, {"data", "t"}}), 422,
              "invalid_argument");
  ExpectError(api.Post("/v1/requests", kClerkToken,
                       json{{"workflow", "case"},
                            {"data", {{"title", "t"}}},
                            {"references", {{"issuing", 12}}}}),
              422, "invalid_argument");

  const std::string id = api.CreateCase();
  ASSERT_EQ(api.Fire(id, "send", kClerkToken).status, 200);
  ExpectError(api.Fire(id, "refuse", kJudgeToken), 422, "invalid_argument");  // require: ground
  ExpectError(api.Post("/v1/requests/" + id + "/events", kJudgeToken, json{{"data", {}}}), 422,
              "invalid_argument");  // no event
  ExpectError(api.Fire(id, "note", kJudgeToken, {{"expected_revision", "2"}}), 422,
              "invalid_argument");
  ExpectError(api.Fire(id, "note", kJudgeToken, {{"expected_revision", 0}}), 422,
              "invalid_argument");
  ExpectError(api.Fire(id, "note", kJudgeToken, {{"when", "now"}}), 422, "invalid_argument");
}

TEST(ErrorsTest, BadInputNeverBringsTheServerDown) {
  const std::vector<std::string> inputs = {
      "GARBAGE\r\n\r\n",
      "GET /v1/health HTTP/9.9\r\n\r\n",
      "POST /v1/requests HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/requests HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
      "POST /v1/requests HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /v1/requests/%00%ff HTTP/1.1\r\nAuthorization: Bearer " + std::string(kClerkToken) +
          "\r\n\r\n",
      "GET /v1/requests?limit=99999999999999999999 HTTP/1.1\r\nAuthorization: Bearer " +
          std::string(kClerkToken) + "\r\n\r\n",
      "POST /v1/requests HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
      "Authorization: Bearer " +
          std::string(kClerkToken) + "\r\nContent-Length: 10\r\n\r\n--x\r\n\r\n\r\n",
      "GET " + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n",
      std::string(5000, '\0'),
  };
  for (const std::string& input : inputs) {
    const std::string reply = RawExchange(SharedPort(), input, 1000);
    EXPECT_EQ(reply.find("SELECT"), std::string::npos);
    EXPECT_EQ(reply.find("EXCEPTION"), std::string::npos);
  }
  Api api;
  EXPECT_EQ(api.Get("/v1/health", "").status, 200);
  Answer deep = api.Post("/v1/requests", kClerkToken,
                         "{\"workflow\":\"case\",\"data\":{\"title\":" + std::string(60, '[') +
                             std::string(60, ']') + "}}");
  EXPECT_EQ(deep.status, 422) << deep.text;
  EXPECT_EQ(api.Get("/v1/health", "").status, 200);
}

}  // namespace
}  // namespace rogatory::e2e
