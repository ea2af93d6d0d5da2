// Checks on the shipped definitions that the loader does not make: the set of workflows, the
// shared role vocabulary, and that every clock's lapse is handled wherever it can run and no
// clock outlives its request.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The states a transition leaves from ("*": every non-terminal state).
std::vector<std::string> Sources(const WorkflowDefinition& def, const TransitionDef& t) {
  if (!t.from_any) return t.from;
  std::vector<std::string> out;
  for (const auto& s : def.states) {
    if (!s.terminal) out.push_back(s.name);
  }
  return out;
}

const TransitionDef* TransitionFor(const WorkflowDefinition& def, const std::string& state,
                                   const std::string& event) {
  for (const auto& t : def.transitions) {
    if (t.event == event && Contains(Sources(def, t), state)) return &t;
  }
  return nullptr;
}

// Every state in which deadline `d` can be running (true) or paused (false), found by following
// the transitions from each one that starts it.
std::set<std::pair<std::string, bool>> StatesWithClock(const WorkflowDefinition& def,
                                                       const DeadlineDef& d) {
  std::set<std::pair<std::string, bool>> seen;
  // A `while` clock runs exactly in its states: it starts on entering one and is removed on
  // leaving them (a transition cannot start, stop, pause or resume it).
  if (!d.while_states.empty()) {
    for (const auto& state : d.while_states) seen.emplace(state, true);
    return seen;
  }
  std::deque<std::pair<std::string, bool>> queue;
  auto push = [&](const std::string& state, bool running) {
    if (seen.emplace(state, running).second) queue.emplace_back(state, running);
  };
  for (const auto& t : def.transitions) {
    if (!Contains(t.start, d.name)) continue;
    for (const auto& from : Sources(def, t)) push(t.to.empty() ? from : t.to, true);
  }
  while (!queue.empty()) {
    auto [state, running] = queue.front();
    queue.pop_front();
    for (const auto& t : def.transitions) {
      if (!Contains(Sources(def, t), state)) continue;
      if (running && t.event == d.on_expiry) continue;  // the lapse removes the clock
      if (Contains(t.stop, d.name) && !Contains(t.start, d.name)) continue;
      bool next = running;
      if (Contains(t.start, d.name) || Contains(t.resume, d.name)) next = true;
      if (Contains(t.pause, d.name)) next = false;
      push(t.to.empty() ? state : t.to, next);
    }
  }
  return seen;
}

TEST(ShippedWorkflowsTest, AllLoadWithoutErrors) {
  const LoadReport& report = ShippedWorkflows();
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  std::set<std::string> ids;
  for (const auto& def : report.definitions) ids.insert(def.id);
  EXPECT_EQ(ids, (std::set<std::string>{"asset_recovery", "eaw", "eio", "epoc", "extradition",
                                        "jit", "mla_untoc", "spontaneous_information"}));
}

TEST(ShippedWorkflowsTest, UseTheDocumentedRoles) {
  const std::set<std::string> roles = {"issuing_authority",
                                       "validating_authority",
                                       "central_authority",
                                       "executing_authority",
                                       "court",
                                       "minister",
                                       "enforcing_authority",
                                       "service_provider",
                                       "participating_authority",
                                       "eurojust",
                                       "spoc",
                                       "liaison_magistrate",
                                       "notified_authority",
                                       "partner_authority",
                                       "requesting_central_authority",
                                       "requested_central_authority",
                                       "system"};
  for (const auto& def : ShippedWorkflows().definitions) {
    for (const auto& t : def.transitions) {
      for (const auto& role : t.roles) {
        EXPECT_TRUE(roles.count(role)) << def.id << " line " << t.line << ": role " << role;
      }
    }
  }
}

TEST(ShippedWorkflowsTest, EveryLapseIsHandledWhereItsClockRuns) {
  for (const auto& def : ShippedWorkflows().definitions) {
    for (const auto& d : def.deadlines) {
      auto states = StatesWithClock(def, d);
      EXPECT_FALSE(states.empty()) << def.id << ": deadline " << d.name << " is never started";
      for (const auto& [state, running] : states) {
        if (!running) continue;
        const TransitionDef* t = TransitionFor(def, state, d.on_expiry);
        ASSERT_NE(t, nullptr) << def.id << ": " << d.name << " can lapse in state " << state
                              << " but no transition handles " << d.on_expiry << " there";
        EXPECT_TRUE(Contains(t->roles, "system")) << def.id << " line " << t->line;
        EXPECT_TRUE(t->require.empty()) << def.id << " line " << t->line
                                        << ": a lapse carries no data, so it cannot require any";
      }
    }
  }
}

TEST(ShippedWorkflowsTest, NoClockOutlivesItsRequest) {
  for (const auto& def : ShippedWorkflows().definitions) {
    for (const auto& d : def.deadlines) {
      for (const auto& [state, running] : StatesWithClock(def, d)) {
        const StateDef* s = def.FindState(state);
        ASSERT_NE(s, nullptr);
        EXPECT_FALSE(s->terminal) << def.id << ": deadline " << d.name << " may still be "
                                  << (running ? "running" : "paused") << " in terminal state "
                                  << state << "; stop it on the way there";
      }
    }
  }
}

TEST(ShippedWorkflowsTest, EveryStateTransitionAndDeadlineCitesItsBasis) {
  for (const auto& def : ShippedWorkflows().definitions) {
    EXPECT_FALSE(def.title.empty()) << def.id;
    EXPECT_FALSE(def.legal_basis.empty()) << def.id;
    auto tagged = [](const std::string& text) {
      return text.find("[V]") != std::string::npos || text.find("[K]") != std::string::npos ||
             text.find("[U]") != std::string::npos || text.find("[V/K]") != std::string::npos;
    };
    for (const auto& s : def.states) {
      EXPECT_TRUE(tagged(s.description)) << def.id << " state " << s.name;
    }
    for (const auto& t : def.transitions) {
      EXPECT_TRUE(tagged(t.description)) << def.id << " line " << t.line << " " << t.event;
    }
    for (const auto& d : def.deadlines) {
      EXPECT_TRUE(tagged(d.description)) << def.id << " deadline " << d.name;
    }
  }
}

TEST(ShippedWorkflowsTest, RefusalsAndPostponementsCarryAGroundCode) {
  for (const auto& def : ShippedWorkflows().definitions) {
    for (const auto& t : def.transitions) {
      const StateDef* to = t.to.empty() ? nullptr : def.FindState(t.to);
      if (to == nullptr || to->name != "refused" || t.event == "remedy_upheld") continue;
      EXPECT_TRUE(Contains(t.require, "refusal_ground"))
          << def.id << " line " << t.line << ": " << t.event << " refuses without a ground";
    }
    for (const auto& t : def.transitions) {
      if (t.event.rfind("postpone", 0) != 0) continue;
      EXPECT_TRUE(Contains(t.require, "postponement_ground"))
          << def.id << " line " << t.line << ": " << t.event << " postpones without a ground";
    }
    for (const char* field : {"refusal_ground", "postponement_ground"}) {
      const FieldDef* f = def.FindField(field);
      if (f != nullptr) {
        EXPECT_EQ(f->type, FieldType::kEnum) << def.id << " " << field;
      }
    }
  }
}

}  // namespace
}  // namespace rogatory::workflow_testing
