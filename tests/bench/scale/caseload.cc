#include "scale/caseload.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <iostream>
#include <iterator>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "rogatory/engine.h"

namespace rogatory::scale {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr Duration kDay = std::chrono::duration_cast<Duration>(hours(24));

// Each builder thread keeps its own "now": the engine reads it through ThreadClock, so one
// Engine serves every thread while each walks its own request through its own timeline.
thread_local TimePoint thread_now;

class ThreadClock final : public Clock {
 public:
  TimePoint Now() const override { return thread_now; }
};

// The store the builder's Engine writes through. Apply goes to the store under test (or, in a
// dry run, nowhere), and the request it wrote is kept for this thread: the engine's next read
// of it is served from there. Only the builder's own reads are spared; every write is the
// store's real Apply. Everything else is the store's.
class CaseStore final : public Store {
 public:
  explicit CaseStore(std::shared_ptr<Store> backend) : backend_(std::move(backend)) {}

  // A dry run walks the same steps without writing (to learn a walk's timeline first).
  static void SetDryRun(bool dry) { dry_run_ = dry; }

  Status Apply(const Mutation& m) override {
    if (!dry_run_) {
      Status s = backend_->Apply(m);
      if (!s.ok()) return s;
    }
    current_ = m.request;
    return Status();
  }
  Result<Request> GetRequest(const RequestId& id) override {
    if (current_.id == id) return current_;
    return backend_->GetRequest(id);
  }
  static const Request& Current() { return current_; }

  Status SaveDefinition(const WorkflowDefinition& def, const std::string& origin) override {
    return backend_->SaveDefinition(def, origin);
  }
  Result<std::vector<StoredDefinition>> ListDefinitions() override {
    return backend_->ListDefinitions();
  }
  Result<StoredDefinition> GetStoredDefinition(const std::string& workflow,
                                               std::optional<int> version) override {
    return backend_->GetStoredDefinition(workflow, version);
  }
  Result<std::vector<HistoryEntry>> GetHistory(const RequestId& id) override {
    return backend_->GetHistory(id);
  }
  Result<RequestPage> ListRequests(const RequestQuery& q) override {
    return backend_->ListRequests(q);
  }
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& actor,
                                                           const std::string& key) override {
    return backend_->FindIdempotency(actor, key);
  }
  Result<std::vector<DueDeadline>> ClaimDueDeadlines(TimePoint now, const std::string& owner,
                                                     Duration lease, int limit) override {
    return backend_->ClaimDueDeadlines(now, owner, lease, limit);
  }
  Result<int64_t> CountOverdueDeadlines(TimePoint now) override {
    return backend_->CountOverdueDeadlines(now);
  }
  Status CreateSubscription(const Subscription& s) override {
    return backend_->CreateSubscription(s);
  }
  Result<Subscription> GetSubscription(const std::string& id) override {
    return backend_->GetSubscription(id);
  }
  Result<std::vector<Subscription>> ListSubscriptions() override {
    return backend_->ListSubscriptions();
  }
  Status DeleteSubscription(const std::string& id) override {
    return backend_->DeleteSubscription(id);
  }
  Status SetSubscriptionActive(const std::string& id, bool active) override {
    return backend_->SetSubscriptionActive(id, active);
  }
  using Store::ClaimDeliveries;
  Result<std::vector<Delivery>> ClaimDeliveries(TimePoint now, const std::string& owner,
                                                Duration lease, const ClaimLimit& limit) override {
    return backend_->ClaimDeliveries(now, owner, lease, limit);
  }
  Status RecordDeliveryAttempt(const DeliveryAttempt& a) override {
    return backend_->RecordDeliveryAttempt(a);
  }
  Result<Delivery> GetDelivery(const std::string& id) override { return backend_->GetDelivery(id); }
  Result<DeliveryPage> ListDeliveries(const DeliveryQuery& q) override {
    return backend_->ListDeliveries(q);
  }
  Result<std::vector<StatsCell>> QueryStats(const StatsQuery& q) override {
    return backend_->QueryStats(q);
  }
  Status ReplaceStats(const std::vector<StatsRecord>& records) override {
    return backend_->ReplaceStats(records);
  }
  Status RetryDelivery(const std::string& id, TimePoint now) override {
    return backend_->RetryDelivery(id, now);
  }

 private:
  std::shared_ptr<Store> backend_;
  static thread_local bool dry_run_;
  static thread_local Request current_;
};
thread_local bool CaseStore::dry_run_ = false;
thread_local Request CaseStore::current_;

// Per workflow: how many steps each state is from a terminal one (to steer the requests that
// are to close), and which states are terminal.
struct WorkflowShape {
  const WorkflowDefinition* def = nullptr;
  std::set<std::string> terminal;
  std::unordered_map<std::string, int> to_terminal;  // states that cannot close are absent
};

// Only the engine's timers fire it (an `on_expiry` event): the walk cannot take it.
bool PeopleCannotFire(const TransitionDef& t) {
  return !t.roles.empty() && std::all_of(t.roles.begin(), t.roles.end(),
                                         [](const std::string& r) { return r == kSystemRole; });
}

// True when firing `event` in `state` starts a clock.
bool StartsClock(const WorkflowDefinition& def, const std::string& state,
                 const std::string& event) {
  for (const TransitionDef& t : def.transitions) {
    if (t.event != event || (t.start.empty() && t.resume.empty())) continue;
    if (t.from_any || std::find(t.from.begin(), t.from.end(), state) != t.from.end()) return true;
  }
  return false;
}

WorkflowShape ShapeOf(const WorkflowDefinition& def) {
  WorkflowShape shape;
  shape.def = &def;
  std::deque<std::string> queue;
  for (const StateDef& s : def.states) {
    if (!s.terminal) continue;
    shape.terminal.insert(s.name);
    shape.to_terminal[s.name] = 0;
    queue.push_back(s.name);
  }
  while (!queue.empty()) {  // breadth first, backwards along the transitions
    const std::string to = queue.front();
    queue.pop_front();
    for (const TransitionDef& t : def.transitions) {
      if (t.to != to || PeopleCannotFire(t)) continue;
      std::vector<std::string> from = t.from;
      if (t.from_any) {
        from.clear();
        for (const StateDef& s : def.states) {
          if (!s.terminal) from.push_back(s.name);
        }
      }
      for (const std::string& f : from) {
        if (shape.to_terminal.count(f) == 0) {
          shape.to_terminal[f] = shape.to_terminal[to] + 1;
          queue.push_back(f);
        }
      }
    }
  }
  return shape;
}

int StepsToClose(const WorkflowShape& shape, const std::string& state) {
  auto it = shape.to_terminal.find(state);
  return it == shape.to_terminal.end() ? std::numeric_limits<int>::max() / 2 : it->second;
}

// What one request is to become.
struct CasePlan {
  const WorkflowShape* shape = nullptr;
  bool close = false;
  int entries = 0;      // history entries wanted, creation included
  int max_entries = 0;  // an open request with no clock running may go on up to this
  uint64_t seed = 0;
};

// Where a walk ended.
struct WalkEnd {
  bool ok = false;
  std::string error;
  TimePoint last_step;
  std::optional<TimePoint> earliest_due;  // of the running clocks
  int running = 0;
  bool closed = false;
  int entries = 0;
  int refused = 0;
};

std::vector<const DeadlineState*> Running(const Request& r) {
  std::vector<const DeadlineState*> out;
  for (const DeadlineState& d : r.deadlines) {
    if (!d.paused && !d.lapsed) out.push_back(&d);
  }
  return out;
}

// Walks one request from its creation at `start`: the same plan gives the same steps (every
// random draw comes from the plan's seed, none from what the store answers), so a dry run
// first tells the timeline and the real run then writes it, shifted to end where wanted.
WalkEnd Walk(Engine& engine, const Actor& actor, const CasePlan& plan, TimePoint start) {
  WalkEnd end;
  std::mt19937_64 rng(plan.seed);
  const WorkflowDefinition& def = *plan.shape->def;
  thread_now = start;
  CreateCall create;
  create.workflow = def.id;
  for (const FieldDef& f : def.fields) {
    const uint64_t draw = rng();
    if (f.required || draw % 10 < 3) create.data[f.name] = SampleValue(def, f, rng(), thread_now);
  }
  create.references = {{"issuing", def.id + "/" + std::to_string(plan.seed % 1000000)}};
  Result<Request> created = engine.Create(create, actor);
  if (!created.ok()) {
    end.error = def.id + ": create: " + created.status().ToString();
    return end;
  }
  const RequestId id = created->id;
  end.entries = 1;
  std::set<std::string> refused_here;
  // A hard cap on attempts, so a definition with a dead end cannot loop.
  for (int attempt = 0; attempt < 4 * plan.entries && end.entries < plan.entries + 10; ++attempt) {
    const Request& now_r = CaseStore::Current();
    if (plan.shape->terminal.count(now_r.state) != 0) {
      end.closed = true;
      break;
    }
    const int left = plan.entries - end.entries;
    const int to_close = StepsToClose(*plan.shape, now_r.state);
    // An open request keeps going (up to the most entries) until a clock runs on it: an open
    // case in a real caseload waits on someone, against a time limit.
    const bool wants_clock =
        !plan.close && Running(now_r).empty() && end.entries < plan.max_entries;
    if (left <= 0 && !(plan.close && to_close < 100) && !wants_clock) break;
    Result<std::vector<AvailableEvent>> events = engine.AvailableEvents(id, actor);
    if (!events.ok()) {
      end.error = def.id + ": events: " + events.status().ToString();
      return end;
    }
    // Draws first, always the same number of them, whatever the choice then is.
    const uint64_t choice = rng();
    const Duration raw_gap =
        minutes(10) +
        Duration(static_cast<int64_t>(rng() % static_cast<uint64_t>((2 * kDay).count())));
    const uint64_t data_draw = rng();
    std::vector<const AvailableEvent*> candidates;
    for (const AvailableEvent& e : *events) {
      if (refused_here.count(e.event + ">" + now_r.state) != 0) continue;
      const bool closes = plan.shape->terminal.count(e.to) != 0;
      if (!plan.close && closes) continue;
      candidates.push_back(&e);
    }
    if (plan.close && left <= to_close) {
      // Time to head for a terminal state: keep only the events that get closer.
      std::vector<const AvailableEvent*> closer;
      for (const AvailableEvent* e : candidates) {
        if (StepsToClose(*plan.shape, e->to) < to_close) closer.push_back(e);
      }
      if (!closer.empty()) candidates = closer;
    } else if (plan.close) {
      // Not yet: stay open while there is room to close later.
      std::vector<const AvailableEvent*> open;
      for (const AvailableEvent* e : candidates) {
        if (plan.shape->terminal.count(e->to) == 0 && StepsToClose(*plan.shape, e->to) < left) {
          open.push_back(e);
        }
      }
      if (!open.empty()) candidates = open;
    }
    if (wants_clock && left <= 0) {
      std::vector<const AvailableEvent*> starting;
      for (const AvailableEvent* e : candidates) {
        if (StartsClock(def, now_r.state, e->event)) starting.push_back(e);
      }
      if (!starting.empty()) candidates = starting;
    }
    if (candidates.empty()) break;
    const AvailableEvent& pick = *candidates[choice % candidates.size()];
    // Steps come minutes to two days apart, but never so late that a running clock lapses
    // between two steps (the scheduler would have fired it): at most half the time it has left.
    Duration gap = raw_gap;
    for (const DeadlineState* d : Running(now_r)) {
      const Duration left_on_clock = d->due_at - thread_now;
      if (left_on_clock > Duration(0)) gap = std::min(gap, left_on_clock / 2);
    }
    thread_now += std::max(gap, Duration(std::chrono::seconds(1)));
    EventCall call;
    call.event = pick.event;
    uint64_t draw = data_draw;
    for (const std::string& field : pick.missing) {
      if (const FieldDef* f = def.FindField(field)) {
        call.data[field] = SampleValue(def, *f, draw, thread_now);
      }
      draw = draw * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    Result<Request> fired = engine.Fire(id, call, actor);
    if (!fired.ok()) {
      // A guard may refuse the data drawn; another event is tried next time.
      refused_here.insert(pick.event + ">" + now_r.state);
      ++end.refused;
      continue;
    }
    ++end.entries;
  }
  const Request& last = CaseStore::Current();
  end.closed = end.closed || plan.shape->terminal.count(last.state) != 0;
  end.last_step = last.updated_at;
  for (const DeadlineState* d : Running(last)) {
    ++end.running;
    if (!end.earliest_due || d->due_at < *end.earliest_due) end.earliest_due = d->due_at;
  }
  end.ok = true;
  return end;
}

Duration Fraction(Duration d, double f) {
  return Duration(static_cast<int64_t>(static_cast<double>(d.count()) * f));
}

}  // namespace

const std::vector<WorkflowShare>& CaseloadMix() {
  static const std::vector<WorkflowShare> mix = {
      {"eio", 0.38}, {"epoc", 0.20},      {"spontaneous_information", 0.15},
      {"eaw", 0.13}, {"mla_untoc", 0.10}, {"extradition", 0.03},
      {"jit", 0.01},
  };
  return mix;
}

Actor EveryRoleActor(const std::vector<WorkflowDefinition>& definitions) {
  std::set<std::string> roles;
  for (const WorkflowDefinition& def : definitions) {
    for (const TransitionDef& t : def.transitions) {
      for (const std::string& r : t.roles) {
        if (r != kSystemRole) roles.insert(r);
      }
    }
  }
  return Actor{"scale.bench", {roles.begin(), roles.end()}, ""};
}

nlohmann::json SampleValue(const WorkflowDefinition& def, const FieldDef& field, uint64_t pick,
                           TimePoint now) {
  // The counterpart States of an office: the EU's 27 and 13 frequent third States.
  static const char* const kStates[] = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                        "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                        "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "US", "CH",
                                        "NO", "TR", "UA", "RS", "AL", "MA", "IQ", "BR", "CN", "AE"};
  switch (field.type) {
    case FieldType::kString:
      if (field.name == def.stats.counterpart) return kStates[pick % std::size(kStates)];
      return field.name + "-" + std::to_string(pick % 100000);
    case FieldType::kInteger:
      return static_cast<int64_t>(pick % 120);
    case FieldType::kBoolean:
      return pick % 5 == 0;  // flags such as `urgent` are the exception
    case FieldType::kDate:
      return FormatRfc3339(now).substr(0, 10);
    case FieldType::kDateTime:
      return FormatRfc3339(now);
    case FieldType::kEnum:
      return field.values.empty() ? nlohmann::json(nullptr)
                                  : nlohmann::json(field.values[pick % field.values.size()]);
    case FieldType::kList:
      if (!field.values.empty()) {
        return nlohmann::json::array({field.values[pick % field.values.size()]});
      }
      return nlohmann::json::array({field.name + "-" + std::to_string(pick % 1000)});
  }
  return nullptr;
}

Result<CaseloadReport> BuildCaseload(const std::shared_ptr<Store>& store,
                                     const std::vector<WorkflowDefinition>& definitions,
                                     const CaseloadOptions& options) {
  auto case_store = std::make_shared<CaseStore>(store);
  Engine engine(EngineOptions{case_store, std::make_shared<ThreadClock>()});
  std::vector<WorkflowShape> shapes;
  std::vector<double> weights;
  for (const WorkflowShare& share : CaseloadMix()) {
    // The newest version of the workflow: the one Create starts a request under, so that its
    // `stats:` counterpart field is the one SampleValue fills with a country code.
    const WorkflowDefinition* def = nullptr;
    for (const WorkflowDefinition& d : definitions) {
      if (d.id == share.workflow && (def == nullptr || d.version > def->version)) def = &d;
    }
    if (def == nullptr) {
      return NotFoundError(std::string("workflow ") + share.workflow + " is not loaded");
    }
    shapes.push_back(ShapeOf(*def));
    weights.push_back(share.share);
  }
  for (const WorkflowDefinition& def : definitions) {
    Status s = engine.LoadDefinition(def);
    if (!s.ok()) return s;
  }
  const Actor actor = EveryRoleActor(definitions);

  std::atomic<int64_t> next{0};
  std::atomic<int64_t> overdue{0};
  std::atomic<bool> failed{false};
  std::mutex mu;  // guards report and error
  CaseloadReport report;
  std::string error;
  const auto started = std::chrono::steady_clock::now();
  auto work = [&] {
    std::discrete_distribution<size_t> which(weights.begin(), weights.end());
    CaseloadReport mine;
    for (int64_t i = next.fetch_add(1); i < options.requests && !failed; i = next.fetch_add(1)) {
      std::mt19937_64 rng(options.seed * 1000003 + static_cast<uint64_t>(i));
      CasePlan plan;
      plan.shape = &shapes[which(rng)];
      plan.close = std::uniform_real_distribution<double>(0, 1)(rng) < options.closed_share;
      plan.entries = options.min_entries +
                     static_cast<int>(rng() % static_cast<uint64_t>(options.max_entries -
                                                                    options.min_entries + 1));
      plan.max_entries = options.max_entries;
      plan.seed = rng();
      // Dry run: where does the walk end, and when are its clocks due?
      const TimePoint dry_start = options.now - 200 * kDay;
      CaseStore::SetDryRun(true);
      WalkEnd dry = Walk(engine, actor, plan, dry_start);
      CaseStore::SetDryRun(false);
      if (!dry.ok) {
        std::lock_guard<std::mutex> lock(mu);
        error = dry.error;
        failed = true;
        break;
      }
      // Place the timeline: closed requests ended in the last year; open ones are quiet
      // since their last step but (most) before any running clock is due; about
      // options.overdue_share of all requests have their earliest clock lapsed some days ago.
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      TimePoint last_step;
      bool make_overdue = false;
      if (dry.closed) {
        last_step = options.now - Fraction(365 * kDay, u);
      } else if (!dry.earliest_due) {
        last_step = options.now - Fraction(30 * kDay, u);
      } else {
        make_overdue = static_cast<double>(overdue.load()) <
                       options.overdue_share * static_cast<double>(i + 1);
        if (make_overdue) overdue.fetch_add(1);
        const Duration quiet = *dry.earliest_due - dry.last_step;
        last_step = make_overdue ? options.now - quiet - hours(1) - Fraction(20 * kDay, u)
                                 : options.now - Fraction(quiet, 0.05 + 0.9 * u);
      }
      WalkEnd real = Walk(engine, actor, plan, dry_start + (last_step - dry.last_step));
      if (!real.ok) {
        std::lock_guard<std::mutex> lock(mu);
        error = real.error;
        failed = true;
        break;
      }
      ++mine.requests;
      mine.entries += real.entries;
      mine.refused += real.refused;
      mine.by_workflow[plan.shape->def->id] += 1;
      if (real.closed) {
        ++mine.closed;
      } else {
        ++mine.open_by_clocks[static_cast<size_t>(std::min(real.running, 4))];
        if (real.earliest_due && *real.earliest_due < options.now) ++mine.overdue;
      }
      if (i > 0 && i % 50000 == 0) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::cerr << "scale_bench: built " << i << " requests in " << static_cast<int>(s) << " s\n";
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    report.requests += mine.requests;
    report.entries += mine.entries;
    report.closed += mine.closed;
    report.overdue += mine.overdue;
    report.refused += mine.refused;
    for (size_t k = 0; k < mine.open_by_clocks.size(); ++k) {
      report.open_by_clocks[k] += mine.open_by_clocks[k];
    }
    for (const auto& [w, n] : mine.by_workflow) report.by_workflow[w] += n;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t) threads.emplace_back(work);
  for (std::thread& t : threads) t.join();
  if (failed) return InternalError("building the caseload: " + error);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace rogatory::scale
