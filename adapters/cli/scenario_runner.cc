#include "scenario_runner.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "rogatory/deadline_scheduler.h"
#include "rogatory/engine.h"
#include "rogatory/memory_store.h"
#include "scenario_history.h"

namespace rogatory::cli {
namespace {

std::string ListText(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? ", " : "") + n;
  return out + "]";
}

std::string ErrorText(const Status& s) {
  return std::string(StatusCodeName(s.code())) + " (" + s.message() + ")";
}

enum class ClockKind { kRunning, kPaused, kLapsed };

// A request's clocks of one kind (CONTRACT §7: a lapsed clock stays on the request, marked,
// and is neither running nor paused), sorted by name.
std::vector<std::string> Clocks(const Request& r, ClockKind kind) {
  std::vector<std::string> out;
  for (const auto& d : r.deadlines) {
    const ClockKind k = d.lapsed   ? ClockKind::kLapsed
                        : d.paused ? ClockKind::kPaused
                                   : ClockKind::kRunning;
    if (k == kind) out.push_back(d.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string EntryText(const HistoryEntry& e) {
  return "{event: " + e.event + ", from: " + (e.from_state.empty() ? "~" : e.from_state) +
         ", to: " + e.to_state + ", actor: " + e.actor + "}";
}

class Run {
 public:
  Run(const Scenario& s, const WorkflowDefinition& def)
      : scenario_(s),
        def_(def),
        clock_(std::make_shared<ManualClock>(s.start)),
        engine_(EngineOptions{std::shared_ptr<Store>(NewMemoryStore()), clock_,
                              s.time_zone.value_or(TimeZone())}),
        scheduler_(engine_, MakeSchedulerOptions()) {}

  ScenarioResult Go() {
    Status loaded = engine_.LoadDefinition(def_);
    if (!loaded.ok()) return Fail(scenario_.line, "cannot load the workflow: " + loaded.message());
    for (const Step& step : scenario_.steps) {
      if (!Do(step)) break;
    }
    if (!id_.empty()) {
      if (auto h = engine_.History(id_); h.ok()) result_.history = std::move(*h);
    }
    if (result_.line == 0) result_.passed = true;
    return std::move(result_);
  }

 private:
  static DeadlineSchedulerOptions MakeSchedulerOptions() {
    DeadlineSchedulerOptions o;
    o.node_id = "rogatory-test";
    return o;
  }

  ScenarioResult Fail(int line, std::string message) {
    result_.passed = false;
    result_.line = line;
    result_.message = std::move(message);
    return result_;
  }
  bool Failed(int line, std::string message) {
    Fail(line, std::move(message));
    return false;
  }

  Actor ActorFor(const std::string& role) const { return Actor{role, {role}, ""}; }

  bool Do(const Step& step) {
    switch (step.kind) {
      case StepKind::kCreate:
        return DoCreate(step);
      case StepKind::kFire:
        return DoFire(step);
      case StepKind::kAdvance:
        return DoAdvance(step);
      case StepKind::kExpect:
        return DoExpect(step);
    }
    return false;
  }

  // Compares an engine answer with the step's expect_error.
  bool CheckOutcome(const Step& step, const Status& status, const std::string& what,
                    const std::string& state_after) {
    if (step.expect_error) {
      if (status.ok()) {
        return Failed(step.line, "expected " + what + " to be refused with " +
                                     StatusCodeName(*step.expect_error) +
                                     ", got success (now in state '" + state_after + "')");
      }
      if (status.code() != *step.expect_error) {
        return Failed(step.line, "expected " + what + " to be refused with " +
                                     StatusCodeName(*step.expect_error) + ", got " +
                                     ErrorText(status));
      }
      return true;
    }
    if (!status.ok())
      return Failed(step.line, "expected " + what + " to succeed, got " + ErrorText(status));
    return true;
  }

  bool DoCreate(const Step& step) {
    CreateCall call;
    call.workflow = scenario_.workflow;
    call.version = scenario_.version;
    call.data = step.data;
    call.references = step.references;
    call.comment = step.comment;
    last_actor_ = step.as;
    Result<Request> r = engine_.Create(call, ActorFor(step.as));
    if (r.ok()) id_ = r->id;
    if (!CheckOutcome(step, r.status(), "create", r.ok() ? r->state : "")) return false;
    if (!r.ok()) created_refused_ = true;
    return true;
  }

  bool NeedRequest(const Step& step) {
    if (!id_.empty()) return true;
    return Failed(step.line, created_refused_ ? "no request: its creation was refused"
                                              : "no request: create it first");
  }

  bool DoFire(const Step& step) {
    if (!NeedRequest(step)) return false;
    EventCall call;
    call.event = step.event;
    call.data = step.data;
    call.expected_revision = step.expected_revision;
    call.comment = step.comment;
    last_actor_ = step.as;
    // Asked right before firing, on the same request: the alternative Fire will take.
    std::optional<int> chosen;
    if (Result<Request> now = engine_.Get(id_); now.ok()) {
      if (Result<int> t = engine_.ChooseTransition(*now, call); t.ok()) chosen = *t;
    }
    Result<Request> r = engine_.Fire(id_, call, ActorFor(step.as));
    if (r.ok() && chosen) result_.fired[r->revision] = *chosen;  // revision N is entry seq N
    return CheckOutcome(step, r.status(), "'" + step.event + "' by " + step.as,
                        r.ok() ? r->state : "");
  }

  // Moves the virtual clock to `target`, stopping at each clock's due time on the way so that
  // every lapse fires in due order at its own instant, through the scheduler's claim-and-lapse
  // path (DeadlineScheduler::RunOnce) as in the server.
  bool DoAdvance(const Step& step) {
    const TimePoint now = clock_->Now();
    const TimePoint target = step.advance_by ? step.advance_by->AddTo(now) : *step.advance_to;
    if (target < now) {
      return Failed(step.line, "advance to " + FormatRfc3339(target) +
                                   " goes back in time (the virtual clock is at " +
                                   FormatRfc3339(now) + ")");
    }
    for (int guard = 0; guard < 10000; ++guard) {
      std::optional<DeadlineState> next;
      if (!id_.empty()) {
        Result<Request> r = engine_.Get(id_);
        if (!r.ok()) return Failed(step.line, "cannot read the request: " + ErrorText(r.status()));
        for (const auto& d : r->deadlines) {
          if (!d.paused && !d.lapsed && d.due_at <= target && (!next || d.due_at < next->due_at))
            next = d;
        }
      }
      if (!next) {
        clock_->Set(target);
        return true;
      }
      if (next->due_at > clock_->Now()) clock_->Set(next->due_at);
      Result<int> fired = scheduler_.RunOnce();
      if (!fired.ok())
        return Failed(step.line, "the deadline scheduler failed: " + ErrorText(fired.status()));
      if (*fired == 0) {
        // Claimed earlier and still leased (a lapse at the same instant that did nothing): lapse
        // it directly, by the same engine call the scheduler makes.
        auto lapsed = engine_.ExpireDeadline(id_, next->name, next->due_at);
        if (!lapsed.ok())
          return Failed(step.line,
                        "lapse of '" + next->name + "' failed: " + ErrorText(lapsed.status()));
        if (!lapsed->has_value()) {
          return Failed(step.line, "clock '" + next->name + "' fell due but did not lapse");
        }
      }
      if (!CreditLapses())
        return Failed(step.line, "cannot tell which transitions the lapses took");
    }
    return Failed(step.line,
                  "more than 10000 lapses in one advance; does a lapse restart its own clock?");
  }

  // Records which entry each new lapse in the history took. The scheduler fires them, so the
  // engine is asked afterwards, on the request as it is now with the lapse's source state: a
  // lapse leaves the data alone and nothing else moves during an advance, so the data are
  // those the lapse's guards were tested on.
  bool CreditLapses() {
    Result<std::vector<HistoryEntry>> history = engine_.History(id_);
    Result<Request> now = engine_.Get(id_);
    if (!history.ok() || !now.ok()) return false;
    for (const HistoryEntry& e : *history) {
      if (LapsedClock(e).empty() || result_.fired.count(e.seq) > 0) continue;
      Request at = *now;
      at.state = e.from_state;
      EventCall call;
      call.event = e.event;
      Result<int> t = engine_.ChooseTransition(at, call);
      if (!t.ok()) return false;
      const bool took = *t >= 0 && LapseTook(def_.transitions[static_cast<size_t>(*t)], e);
      result_.fired[e.seq] = took ? *t : -1;
    }
    return true;
  }

  bool DoExpect(const Step& step) {
    if (!NeedRequest(step)) return false;
    const Expectation& x = step.expect;
    Result<Request> got = engine_.Get(id_);
    if (!got.ok()) return Failed(step.line, "cannot read the request: " + ErrorText(got.status()));
    const Request& r = *got;
    if (x.state && *x.state != r.state) {
      return Failed(x.state_line, "expected state '" + *x.state + "', got '" + r.state + "'");
    }
    if (x.phase && *x.phase != r.phase) {
      return Failed(x.phase_line, "expected phase '" + std::string(PhaseName(*x.phase)) +
                                      "', got '" + PhaseName(r.phase) + "' (state '" + r.state +
                                      "')");
    }
    if (x.revision && *x.revision != r.revision) {
      return Failed(x.revision_line, "expected revision " + std::to_string(*x.revision) + ", got " +
                                         std::to_string(r.revision));
    }
    if (x.data) {
      for (auto it = x.data->begin(); it != x.data->end(); ++it) {
        auto have = r.data.find(it.key());
        const std::string got_text = have == r.data.end() ? "nothing" : have->dump();
        if (have == r.data.end() ? !it.value().is_null() : *have != it.value()) {
          return Failed(x.data_line, "expected data." + it.key() + " = " + it.value().dump() +
                                         ", got " + got_text);
        }
      }
    }
    if (x.running && *x.running != Clocks(r, ClockKind::kRunning)) {
      return Failed(x.running_line, "expected running clocks " + ListText(*x.running) + ", got " +
                                        ListText(Clocks(r, ClockKind::kRunning)));
    }
    if (x.paused && *x.paused != Clocks(r, ClockKind::kPaused)) {
      return Failed(x.paused_line, "expected paused clocks " + ListText(*x.paused) + ", got " +
                                       ListText(Clocks(r, ClockKind::kPaused)));
    }
    Result<std::vector<HistoryEntry>> history = engine_.History(id_);
    if (!history.ok())
      return Failed(step.line, "cannot read the history: " + ErrorText(history.status()));
    if (x.lapsed) {
      const std::vector<std::string> lapsed = Clocks(r, ClockKind::kLapsed);
      if (*x.lapsed != lapsed) {
        return Failed(x.lapsed_line, "expected lapsed clocks " + ListText(*x.lapsed) + ", got " +
                                         ListText(lapsed));
      }
    }
    if (x.events) {
      const std::string role = x.as.empty() ? last_actor_ : x.as;
      Result<std::vector<AvailableEvent>> available = engine_.AvailableEvents(id_, ActorFor(role));
      if (!available.ok())
        return Failed(step.line, "cannot list events: " + ErrorText(available.status()));
      std::vector<std::string> names;
      for (const auto& a : *available) names.push_back(a.event);
      std::sort(names.begin(), names.end());
      if (*x.events != names) {
        return Failed(x.events_line, "expected " + role + " may fire " + ListText(*x.events) +
                                         ", got " + ListText(names));
      }
    }
    if (x.history) {
      const auto& want = *x.history;
      const auto& have = *history;
      if (want.size() > have.size()) {
        return Failed(x.history_line, "expected the history to end with " +
                                          std::to_string(want.size()) + " entries, got only " +
                                          std::to_string(have.size()));
      }
      const size_t offset = have.size() - want.size();
      for (size_t i = 0; i < want.size(); ++i) {
        const ExpectedHistoryEntry& w = want[i];
        const HistoryEntry& h = have[offset + i];
        if (w.event != h.event || (w.from && *w.from != h.from_state) ||
            (w.to && *w.to != h.to_state) || (w.actor && *w.actor != h.actor)) {
          std::string tail;
          for (size_t j = offset; j < have.size(); ++j)
            tail += (tail.empty() ? "" : ", ") + have[j].event;
          return Failed(w.line, "expected history entry " + std::to_string(h.seq) + " to be " +
                                    w.event + (w.from ? " from " + *w.from : "") +
                                    (w.to ? " to " + *w.to : "") +
                                    (w.actor ? " by " + *w.actor : "") + ", got " + EntryText(h) +
                                    " (history ends: " + tail + ")");
        }
      }
    }
    return true;
  }

  const Scenario& scenario_;
  const WorkflowDefinition& def_;
  std::shared_ptr<ManualClock> clock_;
  Engine engine_;
  DeadlineScheduler scheduler_;
  RequestId id_;
  bool created_refused_ = false;
  std::string last_actor_;
  ScenarioResult result_;
};

}  // namespace

std::string ScenarioResult::Summary(const Scenario& s) const {
  if (passed) return "ok " + s.name + " (" + s.file + ")";
  return "FAIL " + s.file + ":" + std::to_string(line) + ": " + message + " [" + s.name + "]";
}

ScenarioResult RunScenario(const Scenario& s, const WorkflowDefinition& def) {
  return Run(s, def).Go();
}

}  // namespace rogatory::cli
