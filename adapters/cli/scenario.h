// Scenario files for `rogatory test` (CONTRACT §10): what an admin writes to check that a
// workflow does what the law says. This header holds the parsed form and the parser, which
// checks every name against the workflow definition before anything runs.
#ifndef ROGATORY_ADAPTERS_CLI_SCENARIO_H_
#define ROGATORY_ADAPTERS_CLI_SCENARIO_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/status.h"
#include "rogatory/time.h"
#include "rogatory/time_zone.h"
#include "rogatory/workflow.h"

namespace rogatory::cli {

// One expected history entry: only the parts given are compared.
struct ExpectedHistoryEntry {
  std::string event;
  std::optional<std::string> from, to, actor;
  int line = 0;
};

// What an `expect` step checks; each part is compared only when given. `line_of` maps each key
// to its line so a failure points at the key that did not hold.
struct Expectation {
  std::optional<std::string> state;
  std::optional<Phase> phase;
  std::optional<nlohmann::json> data;  // a subset of the request's data
  std::optional<std::vector<std::string>> running, paused, lapsed, events;
  std::optional<std::vector<ExpectedHistoryEntry>> history;  // the tail of the history
  std::optional<int64_t> revision;
  std::string as;  // the actor for `events`; empty: the last step's actor
  int state_line = 0, phase_line = 0, data_line = 0, running_line = 0, paused_line = 0,
      lapsed_line = 0, events_line = 0, history_line = 0, revision_line = 0;
};

enum class StepKind { kCreate, kFire, kAdvance, kExpect };

struct Step {
  StepKind kind = StepKind::kExpect;
  int line = 0;
  std::string as;                                        // create, fire: the role acting
  std::string event;                                     // fire
  nlohmann::json data = nlohmann::json::object();        // create, fire
  nlohmann::json references = nlohmann::json::object();  // create
  std::optional<int64_t> expected_revision;              // fire
  std::string comment;                                   // create, fire
  std::optional<StatusCode> expect_error;                // create, fire
  // advance: either a duration from the current virtual time or an instant.
  std::optional<IsoDuration> advance_by;
  std::optional<TimePoint> advance_to;
  Expectation expect;
};

struct Scenario {
  std::string file;
  int line = 0;  // where the scenario starts
  std::string name;
  std::string workflow;
  int version = 0;  // resolved: the given one, or the newest loaded
  TimePoint start;
  // time_zone: the zone whole-day clocks count in; unset: the config's (`rogatory test`).
  std::optional<TimeZone> time_zone;
  std::vector<Step> steps;
};

// The scenarios of one file, or every problem found in it.
struct ScenarioFile {
  std::vector<Scenario> scenarios;
  std::vector<DefinitionError> errors;
};

// The instant scenarios start at when they give no `start`: Monday 2 March 2026, 09:00 UTC.
TimePoint DefaultScenarioStart();

// The error codes `expect_error` may name, as StatusCodeName spells them.
const std::vector<std::string>& ExpectableErrorNames();

// Parses one scenario file (one scenario, or `scenarios:` with a list of them) and checks it
// against `definitions`: unknown keys, workflows, versions, events, roles, states, clocks and
// fields are reported as `file:line: message`. Scenarios are returned only when there is no
// problem at all. Never throws.
ScenarioFile ParseScenarioFile(std::string_view text, const std::string& file,
                               const std::vector<WorkflowDefinition>& definitions);

// Every scenario file a path names: itself, or the *.yaml / *.yml files under a folder
// (recursively, sorted, hidden entries skipped). A missing path is an error.
std::vector<std::string> ExpandScenarioPaths(const std::vector<std::string>& paths,
                                             std::vector<DefinitionError>* errors);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_SCENARIO_H_
