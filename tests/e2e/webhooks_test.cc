// Deadlines and webhooks against the real `rogatory serve`: a PT2S deadline lapses within a
// second of falling due and its deadline.expired webhook arrives; a server killed with SIGKILL
// mid-delivery and restarted still delivers every event, in order per request; two servers on
// one PostgreSQL lose no event, never send one twice at once, and fire every deadline once.
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "api.h"
#include "loopback_receiver.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::LoopbackReceiver;
using testing::Received;
using testing::Reply;

constexpr char kTimedWorkflow[] = R"(workflow: timed
version: 1
title: Timed e2e workflow
legal_basis: none
fields:
  note: {type: string}
states:
  open:   {phase: drafting, initial: true}
  closed: {phase: closure, terminal: true}
deadlines:
  reply: {duration: PT2S, on_expiry: reply_overdue}
transitions:
  - {event: ping,  from: open, roles: [clerk]}
  - {event: arm,   from: open, roles: [clerk], start: [reply]}
  - {event: close, from: open, to: closed, roles: [clerk]}
  - {event: reply_overdue, from: open, roles: [system]}
)";

// A server folder with the timed workflow and a config on `store_url` whose webhook timings
// suit tests: 0.5 s timeout (so a lease of 6.5 s), retries after 50-500 ms.
std::string WriteWebhooksConfig(const std::string& dir, const std::string& store_url) {
  std::filesystem::create_directories(dir + "/workflows");
  std::ofstream(dir + "/workflows/timed.yaml") << kTimedWorkflow;
  const std::string path = dir + "/rogatory.yaml";
  std::ofstream(path) << "listen: 127.0.0.1:0\n"
                      << "store: \"" << store_url << "\"\n"
                      << "workflows: \"" << dir << "/workflows\"\n"
                      << "auth:\n  tokens:\n"
                      << "    - {actor: carla.clerk, roles: [clerk], sha256: \""
                      << Sha256Hex(kClerkToken) << "\"}\n"
                      << "    - {actor: ops.admin, roles: [admin], sha256: \""
                      << Sha256Hex(kAdminToken) << "\"}\n"
                      << "webhooks:\n"
                      << "  allow_private: true\n"
                      << "  max_attempts: 1000\n"
                      << "  retry: {initial: PT0.05S, max: PT0.5S}\n"
                      << "  timeout: PT0.5S\n"
                      << "  lease: PT1S\n"
                      << "log: {format: json, level: info}\n";
  return path;
}

using WallTime = std::chrono::system_clock::time_point;

// "2026-01-05T09:00:02.123Z" (what the API returns) as a wall-clock instant.
WallTime ParseTime(const std::string& text) {
  struct tm tm {};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  EXPECT_NE(rest, nullptr) << text;
  WallTime t = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (rest != nullptr && *rest == '.') {
    std::string digits;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest) digits += *rest;
    digits = (digits + "000000").substr(0, 6);
    t += std::chrono::microseconds(std::stol(digits));
  }
  return t;
}

std::string StartServer(ServerProcess& server, const std::string& config) {
  return server.StartWithConfigFile(config, {});
}

// Subscribes `url` through the API; returns the secret.
std::string Subscribe(Api& api, const std::string& url, json events = nullptr) {
  json body{{"url", url}};
  if (!events.is_null()) body["events"] = std::move(events);
  Answer a = api.Post("/v1/subscriptions", kAdminToken, body);
  EXPECT_EQ(a.status, 201) << a.text;
  return a.json.value("secret", "");
}

std::string CreateTimed(Api& api) {
  Answer a = api.Post("/v1/requests", kClerkToken, json{{"workflow", "timed"}});
  EXPECT_EQ(a.status, 201) << a.text;
  return a.json.value("id", "");
}

int Lapses(Api& api, const std::string& id) {
  Answer h = api.Get("/v1/requests/" + id + "/history", kClerkToken);
  EXPECT_EQ(h.status, 200) << h.text;
  int n = 0;
  for (const auto& e : h.json) n += e.value("event", "") == "reply_overdue" ? 1 : 0;
  return n;
}

// No revision of a request arrived before the previous one was acknowledged, and every request
// had revisions 1..revisions acknowledged (duplicates after a crash are allowed).
void ExpectAllInOrder(const LoopbackReceiver& receiver, const std::vector<std::string>& ids,
                      int64_t revisions) {
  std::map<std::string, int64_t> high;
  for (const Received& r : receiver.received()) {
    ASSERT_EQ(r.verify_error, "") << r.id;
    int64_t& h = high[r.request_id()];
    ASSERT_LE(r.revision(), h + 1) << "request " << r.request_id() << ": revision " << r.revision()
                                   << " arrived before " << h + 1 << " was acknowledged";
    if (r.status >= 200 && r.status <= 299 && r.revision() == h + 1) h = r.revision();
  }
  for (const auto& id : ids) EXPECT_EQ(high[id], revisions) << id;
}

// Every request has revisions 1..revisions acknowledged.
bool AllAcknowledged(const LoopbackReceiver& receiver, const std::vector<std::string>& ids,
                     int64_t revisions) {
  std::map<std::string, std::set<int64_t>> got;
  for (const Received& r : receiver.acknowledged()) got[r.request_id()].insert(r.revision());
  for (const auto& id : ids) {
    if (got[id].size() != static_cast<size_t>(revisions)) return false;
  }
  return true;
}

TEST(WebhooksE2eTest, DeadlineLapsesWithinASecondOfDueAndItsWebhookArrives) {
  const std::string dir = MakeTempDir("rogatory-e2e-deadline");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(StartServer(server, WriteWebhooksConfig(dir, FreshStoreUrl())), "");
  Api api(server.port());
  // Subscribe first (the secret comes with the subscription), then listen where we subscribed.
  const int port = FreePort();
  const std::string secret = Subscribe(api, "http://127.0.0.1:" + std::to_string(port) + "/hook",
                                       json{"deadline.expired"});
  LoopbackReceiver receiver(secret, nullptr, "", "", port);
  const std::string id = CreateTimed(api);
  ASSERT_EQ(api.Fire(id, "arm", kClerkToken).status, 200);
  Answer r = api.Get("/v1/requests/" + id, kClerkToken);
  ASSERT_EQ(r.json["deadlines"].size(), 1u) << r.text;
  const std::string due_text = r.json["deadlines"][0]["due_at"];
  const WallTime due = ParseTime(due_text);

  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(6000))) << server.Log();
  const Received got = receiver.acknowledged().at(0);
  EXPECT_EQ(got.verify_error, "");
  EXPECT_EQ(got.type(), "deadline.expired");
  EXPECT_EQ(got.request_id(), id);
  EXPECT_EQ(got.json["data"]["deadline"], "reply");
  EXPECT_EQ(got.json["data"]["actor"], "system");
  const std::string lapsed_text = got.json["data"]["at"];
  const WallTime lapsed = ParseTime(lapsed_text);
  EXPECT_GE(lapsed, due);
  EXPECT_LT(lapsed - due, milliseconds(1000)) << "lapse " << lapsed_text << " due " << due_text;
  EXPECT_LT(got.at - due, milliseconds(1000));  // and the webhook went out at once
  EXPECT_EQ(Lapses(api, id), 1);

  // The receiver saw the webhook a moment before the server recorded its answer.
  Answer metrics;
  for (int i = 0; i < 200; ++i) {
    metrics = api.Get("/metrics", kAdminToken);
    if (metrics.text.find("rogatory_webhook_delivery_latency_seconds_count 1") !=
        std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_NE(metrics.text.find("rogatory_deadlines_fired_total 1"), std::string::npos)
      << metrics.text;
  EXPECT_NE(metrics.text.find("rogatory_deadlines_overdue 0"), std::string::npos);
  EXPECT_NE(metrics.text.find("rogatory_webhook_deliveries_total{outcome=\"delivered\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.text.find("rogatory_webhook_delivery_latency_seconds_count 1"),
            std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST(WebhooksE2eTest, ServerKilledMidDeliveryStillDeliversEveryEventInOrder) {
  const std::string dir = MakeTempDir("rogatory-e2e-crash");
  const std::string config = WriteWebhooksConfig(dir, FreshStoreUrl());
  ServerProcess server(dir + "/server");
  ASSERT_EQ(StartServer(server, config), "");
  Api api(server.port());
  const int port = FreePort();
  const std::string secret = Subscribe(api, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  // A slow consumer (80 ms an answer) that also fails every fifth first attempt.
  LoopbackReceiver receiver(
      secret,
      [](const Received& r) {
        Reply reply;
        reply.delay = milliseconds(80);
        if (r.attempt == 1 && r.revision() % 5 == 0) reply.status = 503;
        return reply;
      },
      "", "", port);

  constexpr int kRequests = 8;
  constexpr int kPings = 4;  // revisions 1..5
  std::vector<std::string> ids;
  for (int i = 0; i < kRequests; ++i) ids.push_back(CreateTimed(api));
  for (int p = 0; p < kPings; ++p) {
    for (const auto& id : ids) ASSERT_EQ(api.Fire(id, "ping", kClerkToken).status, 200);
  }
  // Kill while sends are in flight.
  ASSERT_TRUE(receiver.WaitForAcknowledged(8, milliseconds(10000)));
  ASSERT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
  const size_t before = receiver.acknowledged_count();
  ASSERT_LT(before, static_cast<size_t>(kRequests * (kPings + 1))) << "all sent before the kill";

  ASSERT_EQ(StartServer(server, config), "") << server.Log();
  ASSERT_TRUE(receiver.WaitUntil(
      [&](const LoopbackReceiver& r) { return AllAcknowledged(r, ids, kPings + 1); },
      milliseconds(30000)))
      << server.Log();
  ExpectAllInOrder(receiver, ids, kPings + 1);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

TEST(WebhooksE2eTest, TwoServersOnOnePostgresqlLoseNothingAndFireEachDeadlineOnce) {
  if (StoreKind() != "postgresql") GTEST_SKIP() << "several nodes need PostgreSQL";
  const std::string dir = MakeTempDir("rogatory-e2e-nodes");
  const std::string config = WriteWebhooksConfig(dir, FreshStoreUrl());
  ServerProcess a(dir + "/a"), b(dir + "/b");
  ASSERT_EQ(StartServer(a, config), "");
  ASSERT_EQ(StartServer(b, config), "");
  Api api_a(a.port()), api_b(b.port());
  Api* apis[] = {&api_a, &api_b};

  const int port = FreePort();
  const std::string secret = Subscribe(api_a, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0};
  LoopbackReceiver receiver(
      secret,
      [&](const Received& r) {
        {
          std::lock_guard lock(mu);
          if (!in_flight.insert(r.id).second) ++overlaps;
        }
        std::this_thread::sleep_for(milliseconds(5));
        std::lock_guard lock(mu);
        in_flight.erase(r.id);
        return Reply{};
      },
      "", "", port);

  constexpr int kRequests = 16;
  std::vector<std::string> ids;
  for (int i = 0; i < kRequests; ++i) ids.push_back(CreateTimed(*apis[i % 2]));
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < kRequests; ++i) {
      ASSERT_EQ(apis[(i + p + 1) % 2]->Fire(ids[i], "ping", kClerkToken).status, 200);
    }
  }
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_EQ(apis[i % 2]->Fire(ids[i], "arm", kClerkToken).status, 200);  // PT2S
  }
  // create, ping, ping, arm, reply_overdue
  ASSERT_TRUE(receiver.WaitUntil(
      [&](const LoopbackReceiver& r) { return AllAcknowledged(r, ids, 5); }, milliseconds(20000)))
      << a.Log() << b.Log();
  std::this_thread::sleep_for(milliseconds(500));  // room for a wrong second lapse
  EXPECT_EQ(overlaps.load(), 0);
  ExpectAllInOrder(receiver, ids, 5);
  std::map<std::string, int> sends;
  for (const Received& r : receiver.received()) ++sends[r.id];
  for (const auto& [id, n] : sends) EXPECT_EQ(n, 1) << id << " sent " << n << " times";
  for (const auto& id : ids) EXPECT_EQ(Lapses(api_a, id), 1) << id;
  EXPECT_EQ(a.Stop(SIGTERM), 0);
  EXPECT_EQ(b.Stop(SIGTERM), 0);
}

// Subscribes `url`; returns {id, secret}.
std::pair<std::string, std::string> SubscribeWithId(Api& api, const std::string& url) {
  Answer a = api.Post("/v1/subscriptions", kAdminToken, json{{"url", url}});
  EXPECT_EQ(a.status, 201) << a.text;
  return {a.json.value("id", ""), a.json.value("secret", "")};
}

// The only delivery of subscription `sub`, once it is no longer pending (null after 5 s).
json SettledDelivery(Api& api, const std::string& sub) {
  for (int i = 0; i < 500; ++i) {
    Answer page = api.Get("/v1/deliveries?subscription=" + sub, kAdminToken);
    if (page.status == 200 && page.json["items"].size() == 1 &&
        page.json["items"][0]["status"] != "pending") {
      return page.json["items"][0];
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return nullptr;
}

// Regression (issue 9 point 7): the retry route re-queued a delivery while it was being sent.
TEST(WebhooksE2eTest, RetryOfADeliveryBeingSentIsRefusedWith409) {
  const std::string dir = MakeTempDir("rogatory-e2e-retry-claimed");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(StartServer(server, WriteWebhooksConfig(dir, FreshStoreUrl())), "");
  Api api(server.port());
  const int port = FreePort();
  const auto [sub, secret] =
      SubscribeWithId(api, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  std::atomic<bool> arrived{false};
  LoopbackReceiver receiver(
      secret,
      [&arrived](const Received&) {
        arrived = true;
        return Reply{200, {}, milliseconds(300)};  // answers within the 0.5 s timeout
      },
      "", "", port);
  CreateTimed(api);
  for (int i = 0; i < 500 && !arrived; ++i) std::this_thread::sleep_for(milliseconds(2));
  ASSERT_TRUE(arrived) << server.Log();
  Answer page = api.Get("/v1/deliveries?subscription=" + sub, kAdminToken);
  const std::string id = page.json["items"][0]["id"];
  Answer retry = api.Post("/v1/deliveries/" + id + "/retry", kAdminToken, std::string());
  EXPECT_EQ(retry.status, 409) << retry.text;
  EXPECT_NE(retry.text.find("is being sent now"), std::string::npos) << retry.text;

  json d = SettledDelivery(api, sub);
  ASSERT_FALSE(d.is_null());
  EXPECT_EQ(d["status"], "delivered");
  EXPECT_EQ(d["attempts"], 1);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(receiver.received().size(), 1u);  // sent once
  EXPECT_EQ(api.Post("/v1/deliveries/" + id + "/retry", kAdminToken, std::string()).status, 409);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

// Regression (issue 10 point 7): retrying a dead letter of a subscription a 410 disabled answered
// 200 and dead-lettered it again at once without sending, counting an attempt and a dead letter.
TEST(WebhooksE2eTest, DisabledSubscriptionIsReEnabledWithPatchThenItsDeadLetterReplays) {
  const std::string dir = MakeTempDir("rogatory-e2e-retry-disabled");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(StartServer(server, WriteWebhooksConfig(dir, FreshStoreUrl())), "");
  Api api(server.port());
  const int port = FreePort();
  const auto [sub, secret] =
      SubscribeWithId(api, "http://127.0.0.1:" + std::to_string(port) + "/hook");
  std::atomic<int> status{410};
  LoopbackReceiver receiver(
      secret,
      [&status](const Received&) {
        return Reply{status.load(), {}, {}};
      },
      "", "", port);
  CreateTimed(api);
  json d = SettledDelivery(api, sub);
  ASSERT_FALSE(d.is_null()) << server.Log();
  ASSERT_EQ(d["status"], "dead");
  const std::string id = d["id"];
  EXPECT_EQ(api.Get("/v1/subscriptions/" + sub, kAdminToken).json["active"], false);

  Answer retry = api.Post("/v1/deliveries/" + id + "/retry", kAdminToken, std::string());
  EXPECT_EQ(retry.status, 409) << retry.text;
  EXPECT_NE(retry.text.find("is disabled"), std::string::npos) << retry.text;
  EXPECT_NE(retry.text.find("PATCH /v1/subscriptions/" + sub), std::string::npos) << retry.text;
  std::this_thread::sleep_for(milliseconds(300));
  Answer metrics = api.Get("/metrics", kAdminToken);
  EXPECT_EQ(metrics.text.find("rogatory_webhook_deliveries_total{outcome=\"dead\"} 1"),
            std::string::npos)
      << metrics.text;
  EXPECT_EQ(api.Get("/v1/deliveries/" + id, kAdminToken).json["attempts"], 1);

  // PATCH: admin only, a known id, exactly {"active": bool}.
  EXPECT_EQ(api.Patch("/v1/subscriptions/" + sub, kClerkToken, R"({"active":true})").status, 403);
  EXPECT_EQ(api.Patch("/v1/subscriptions/sub_nope", kAdminToken, R"({"active":true})").status, 404);
  for (const char* bad : {"", "{", R"({"active":"yes"})", R"({})", R"({"active":true,"x":1})"}) {
    Answer a = api.Patch("/v1/subscriptions/" + sub, kAdminToken, bad);
    EXPECT_EQ(a.status, 400) << bad << ": " << a.text;
  }
  EXPECT_EQ(api.Get("/v1/subscriptions/" + sub, kAdminToken).json["active"], false);
  Answer patched = api.Patch("/v1/subscriptions/" + sub, kAdminToken, R"({"active":true})");
  EXPECT_EQ(patched.status, 200) << patched.text;
  EXPECT_EQ(patched.json["active"], true);

  status = 200;
  retry = api.Post("/v1/deliveries/" + id + "/retry", kAdminToken, std::string());
  EXPECT_EQ(retry.status, 200) << retry.text;
  EXPECT_EQ(retry.json["status"], "pending");
  ASSERT_TRUE(receiver.WaitForAcknowledged(1, milliseconds(5000))) << server.Log();
  d = SettledDelivery(api, sub);
  ASSERT_FALSE(d.is_null());
  EXPECT_EQ(d["status"], "delivered");
  EXPECT_EQ(d["attempts"], 2);
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

}  // namespace
}  // namespace rogatory::e2e
