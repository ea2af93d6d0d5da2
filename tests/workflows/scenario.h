// A scenario driver for the shipped workflows: loads workflows/*.yaml once, runs one request
// on an Engine over the in-memory store and a manual clock, and lets a test read as the
// lifecycle it checks: do this as that role, let N days pass, expect this state and clock.
#ifndef ROGATORY_TESTS_WORKFLOWS_SCENARIO_H_
#define ROGATORY_TESTS_WORKFLOWS_SCENARIO_H_

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"

namespace rogatory::workflow_testing {

// Monday 5 January 2026, 09:00 UTC: every scenario starts here.
inline TimePoint T0() { return ParseRfc3339("2026-01-05T09:00:00Z").value(); }

inline Duration Hours(int64_t n) {
  return std::chrono::duration_cast<Duration>(std::chrono::hours(n));
}
inline Duration Days(int64_t n) { return Hours(24 * n); }

// T0() + d as RFC 3339 text, for comparing due dates readably.
inline std::string At(Duration d) { return FormatRfc3339(T0() + d); }
// An RFC 3339 instant in the engine's canonical text.
inline std::string Instant(const char* rfc3339) {
  return FormatRfc3339(ParseRfc3339(rfc3339).value());
}

// The role names the shipped workflows use, shared by every workflow test.
inline constexpr char kIssuer[] = "issuing_authority";
inline constexpr char kRequester[] = "issuing_authority";
inline constexpr char kExecutor[] = "executing_authority";
inline constexpr char kCentral[] = "central_authority";
inline constexpr char kEnforcing[] = "enforcing_authority";
inline constexpr char kParty[] = "participating_authority";
inline constexpr char kProvider[] = "service_provider";

// An actor holding just `role` (id "<role>.user").
inline Actor As(const std::string& role) { return Actor{role + ".user", {role}}; }

// The report of loading the whole workflows/ folder, read once per test binary.
inline const LoadReport& ShippedWorkflows() {
  static const LoadReport* report =
      new LoadReport(LoadDefinitions({ROGATORY_SOURCE_DIR "/workflows"}));
  return *report;
}

// One request of `workflow` on a fresh engine whose clock starts at T0(), on `version` (default:
// the newest loaded; a test of an older version pins it).
class Scenario {
 public:
  // `version` pins the version Create uses (default: the newest loaded), so that the scenarios
  // of an older version keep testing it once a newer one ships beside it; `store`: where the
  // request lives (default: a fresh in-memory store; the migration tests pass a SQLite file).
  explicit Scenario(const std::string& workflow, std::optional<int> version = std::nullopt,
                    std::shared_ptr<Store> store = nullptr)
      : store_(store ? std::move(store) : std::shared_ptr<Store>(NewMemoryStore())),
        clock_(std::make_shared<ManualClock>(T0())),
        engine_(EngineOptions{store_, clock_}),
        workflow_(workflow),
        version_(version) {
    const LoadReport& report = ShippedWorkflows();
    EXPECT_TRUE(report.ok()) << report.ErrorText();
    for (const auto& def : report.definitions) {
      Status s = engine_.LoadDefinition(def);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }

  // Creates the request as `role` with `data`; fails the test if refused.
  void Create(const nlohmann::json& data, const std::string& role = "issuing_authority") {
    CreateCall call;
    call.workflow = workflow_;
    call.version = version_;
    call.data = data;
    Result<Request> r = engine_.Create(call, As(role));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    id_ = r->id;
  }

  // Fires `event` as `role`; the engine's answer, success or not.
  Result<Request> Fire(const std::string& event, const std::string& role,
                       const nlohmann::json& data = nlohmann::json::object()) {
    EventCall call;
    call.event = event;
    call.data = data;
    return engine_.Fire(id_, call, As(role));
  }

  // Fires `event` as `role` and expects success.
  void Do(const std::string& event, const std::string& role,
          const nlohmann::json& data = nlohmann::json::object()) {
    Result<Request> r = Fire(event, role, data);
    EXPECT_TRUE(r.ok()) << event << " as " << role << " in state " << state() << ": "
                        << r.status().ToString();
  }

  // The status code `event` as `role` gets (kOk when it fires).
  StatusCode Code(const std::string& event, const std::string& role,
                  const nlohmann::json& data = nlohmann::json::object()) {
    return Fire(event, role, data).status().code();
  }

  // Migrates the request as a global admin (POST /v1/requests/{id}/migrate).
  Result<Request> Migrate(int target_version, const std::map<std::string, std::string>& state_map,
                          const std::string& comment = "") {
    MigrationCall call;
    call.target_version = target_version;
    call.state_map = state_map;
    call.comment = comment;
    return engine_.Migrate(id_, call, Actor{"admin", {"admin"}, ""});
  }

  // Moves the clock by `d`, then lapses every deadline due by then, earliest first, as the
  // scheduler would. Returns the names of the deadlines that lapsed.
  std::vector<std::string> Advance(Duration d) {
    clock_->Advance(d);
    return RunDue();
  }

  std::vector<std::string> RunDue() {
    std::vector<std::string> lapsed;
    for (int round = 0; round < 100; ++round) {
      Result<std::vector<DueDeadline>> due =
          store_->ClaimDueDeadlines(clock_->Now(), "scenario", Duration(1), 100);
      EXPECT_TRUE(due.ok()) << due.status().ToString();
      if (!due.ok() || due->empty()) break;
      for (const DueDeadline& d : *due) {
        Result<std::optional<Request>> r = engine_.ExpireDeadline(d.request_id, d.name, d.due_at);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (r.ok() && r->has_value()) lapsed.push_back(d.name);
      }
    }
    return lapsed;
  }

  Request request() const {
    Result<Request> r = engine_.Get(id_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : Request{};
  }
  std::string state() const { return request().state; }
  Phase phase() const { return request().phase; }
  nlohmann::json data() const { return request().data; }

  // The clock named `name`, or nullopt when it is not running or paused.
  std::optional<DeadlineState> deadline(const std::string& name) const {
    Request r = request();
    const DeadlineState* d = r.FindDeadline(name);
    return d ? std::optional<DeadlineState>(*d) : std::nullopt;
  }
  // The names of the clocks running or paused (not lapsed).
  std::vector<std::string> deadlines() const {
    std::vector<std::string> out;
    for (const auto& d : request().deadlines) {
      if (!d.lapsed) out.push_back(d.name);
    }
    return out;
  }
  // The clocks that lapsed and stay on the request (CONTRACT §7), in request order.
  std::vector<std::string> lapsed() const {
    std::vector<std::string> out;
    for (const auto& d : request().deadlines) {
      if (d.lapsed) out.push_back(d.name);
    }
    return out;
  }
  // When the clock `name` falls due (RFC 3339), or "" when it is neither running nor paused.
  std::string due_at(const std::string& name) const {
    auto d = deadline(name);
    return d ? FormatRfc3339(d->due_at) : std::string();
  }
  // Whether the clock `name` is paused.
  bool paused(const std::string& name) const {
    auto d = deadline(name);
    return d && d->paused;
  }

  std::vector<HistoryEntry> history() const {
    Result<std::vector<HistoryEntry>> h = engine_.History(id_);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : std::vector<HistoryEntry>{};
  }
  // "event:from->to" for every history entry, oldest first.
  std::vector<std::string> trail() const {
    std::vector<std::string> out;
    for (const auto& e : history()) out.push_back(e.event + ":" + e.from_state + "->" + e.to_state);
    return out;
  }
  const HistoryEntry last() const {
    auto h = history();
    return h.empty() ? HistoryEntry{} : h.back();
  }

  // The events `role` may fire now.
  std::vector<std::string> available(const std::string& role) const {
    std::vector<std::string> out;
    auto events = engine_.AvailableEvents(id_, As(role));
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (events.ok()) {
      for (const auto& e : *events) out.push_back(e.event);
    }
    return out;
  }

  TimePoint now() const { return clock_->Now(); }
  Engine& engine() { return engine_; }
  const RequestId& id() const { return id_; }

 private:
  std::shared_ptr<Store> store_;
  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
  std::string workflow_;
  std::optional<int> version_;
  RequestId id_;
};

}  // namespace rogatory::workflow_testing

#endif  // ROGATORY_TESTS_WORKFLOWS_SCENARIO_H_
