// Parses scenario files with yaml-cpp and checks every name in them against the workflow
// definition, so a typo is a `file:line: message` before anything runs, as for definitions.
// yaml-cpp throws: every exception is caught here.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "scenario.h"

namespace rogatory::cli {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kFileKeys = {"scenarios"};
const std::vector<std::string> kScenarioKeys = {"workflow", "version",   "name",
                                                "start",    "time_zone", "steps"};
const std::vector<std::string> kStepKinds = {"create", "fire", "advance", "expect"};
const std::vector<std::string> kCreateKeys = {"as", "data", "references", "comment",
                                              "expect_error"};
const std::vector<std::string> kFireKeys = {"fire",    "as",          "data", "expected_revision",
                                            "comment", "expect_error"};
const std::vector<std::string> kExpectKeys = {"state",  "phase",  "data",    "running",  "paused",
                                              "lapsed", "events", "history", "revision", "as"};
const std::vector<std::string> kHistoryKeys = {"event", "from", "to", "actor"};

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    default:
      return "nothing";
  }
}

bool IsQuoted(const YAML::Node& node) {
  return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

std::optional<int64_t> IntWord(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return std::nullopt;
  }
  errno = 0;
  const long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<int64_t>(v);
}

// A YAML value as JSON by the YAML 1.2 core schema, as the definition parser reads defaults:
// `true` is a boolean, `12` an integer, `'12'` and `DE` are strings.
nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (IsQuoted(node)) return s;
      if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (auto i = IntWord(s)) return *i;
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (end != s.c_str() && *end == '\0' && s.find_first_of("0123456789") != std::string::npos &&
          s.find_first_not_of("+-.0123456789eE") == std::string::npos) {
        return d;
      }
      return s;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (auto it = node.begin(); it != node.end(); ++it) {
        out[it->first.IsScalar() ? it->first.Scalar() : "?"] = ToJson(it->second);
      }
      return out;
    }
    default:
      return nullptr;
  }
}

// Levenshtein distance, for "did you mean" hints.
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate within a small distance, else "".
std::string Hint(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string* best = nullptr;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const size_t d = Distance(word, c);
    if (d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : " (did you mean '" + *best + "'?)";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Entry {
  std::string key;
  YAML::Node value;
  int line = 0;
};

// The names a workflow definition declares, to check a scenario against.
struct Names {
  std::vector<std::string> states, events, roles, clocks, fields;
  static Names Of(const WorkflowDefinition& def) {
    Names n;
    std::set<std::string> events, roles;
    for (const auto& s : def.states) n.states.push_back(s.name);
    for (const auto& d : def.deadlines) n.clocks.push_back(d.name);
    for (const auto& f : def.fields) n.fields.push_back(f.name);
    for (const auto& t : def.transitions) {
      events.insert(t.event);
      roles.insert(t.roles.begin(), t.roles.end());
    }
    n.events.assign(events.begin(), events.end());
    n.roles.assign(roles.begin(), roles.end());
    return n;
  }
};

class Parser {
 public:
  Parser(std::string file, const std::vector<WorkflowDefinition>& defs, ScenarioFile* out)
      : file_(std::move(file)), defs_(defs), out_(out) {}

  void Error(int line, std::string message) {
    out_->errors.push_back(DefinitionError{file_, line, std::move(message)});
  }

  void ParseRoot(const YAML::Node& root) {
    if (!root.IsMap()) {
      Error(std::max(1, LineOf(root)),
            "a scenario file must be a mapping (workflow, name, steps) or 'scenarios:' with a "
            "list of them, not " +
                Describe(root));
      return;
    }
    if (root["scenarios"]) {
      std::vector<Entry> entries = Entries(root, kFileKeys, "the file");
      for (const Entry& e : entries) {
        if (!e.value.IsSequence() || e.value.size() == 0) {
          Error(e.line, "'scenarios' must be a list of scenarios, not " + Describe(e.value));
          continue;
        }
        for (const auto& item : e.value) ParseScenario(item);
      }
      return;
    }
    ParseScenario(root);
  }

 private:
  std::vector<Entry> Entries(const YAML::Node& map, const std::vector<std::string>& allowed,
                             const std::string& where) {
    std::vector<Entry> out;
    std::map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key_node = it->first;
      const int line = LineOf(key_node);
      if (!key_node.IsScalar()) {
        Error(line, "keys must be names, not " + Describe(key_node) + " in " + where);
        continue;
      }
      const std::string key = key_node.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string hint = Hint(key, allowed);
        if (hint.empty()) hint = "; expected one of: " + Join(allowed);
        Error(line, "unknown key '" + key + "' in " + where + hint);
        continue;
      }
      auto [first, inserted] = seen.emplace(key, line);
      if (!inserted) {
        Error(line, "duplicate key '" + key + "' in " + where + " (first on line " +
                        std::to_string(first->second) + ")");
        continue;
      }
      out.push_back(Entry{key, it->second, line});
    }
    return out;
  }

  std::optional<std::string> Text(const Entry& e, const std::string& where) {
    if (e.value.IsScalar() && !e.value.Scalar().empty()) return e.value.Scalar();
    Error(e.line, "'" + e.key + "' of " + where + " must be text, not " + Describe(e.value));
    return std::nullopt;
  }

  std::optional<std::vector<std::string>> NameList(const Entry& e, const std::string& where) {
    std::vector<std::string> out;
    if (e.value.IsNull()) return out;
    if (e.value.IsScalar()) return std::vector<std::string>{e.value.Scalar()};
    if (e.value.IsSequence()) {
      bool ok = true;
      for (const auto& item : e.value) {
        if (item.IsScalar()) {
          out.push_back(item.Scalar());
        } else {
          ok = false;
        }
      }
      if (ok) return out;
    }
    Error(e.line,
          "'" + e.key + "' of " + where + " must be a list of names, not " + Describe(e.value));
    return std::nullopt;
  }

  // Reports `name` unless it is one of `known`, which are `what` of the workflow.
  void Check(int line, const std::string& name, const std::vector<std::string>& known,
             const std::string& what, const Scenario& s) {
    if (std::find(known.begin(), known.end(), name) != known.end()) return;
    std::string hint = Hint(name, known);
    Error(line, "unknown " + what + " '" + name + "' in workflow " + s.workflow + "@" +
                    std::to_string(s.version) + hint);
  }

  void CheckFields(const Entry& e, const nlohmann::json& data, const Names& n, const Scenario& s) {
    for (auto it = data.begin(); it != data.end(); ++it) {
      // The line of the field's own key, when it can be found.
      int line = e.line;
      if (e.value.IsMap()) {
        for (auto f = e.value.begin(); f != e.value.end(); ++f) {
          if (f->first.IsScalar() && f->first.Scalar() == it.key()) line = LineOf(f->first);
        }
      }
      Check(line, it.key(), n.fields, "field", s);
    }
  }

  std::optional<nlohmann::json> Mapping(const Entry& e, const std::string& where) {
    if (e.value.IsNull()) return nlohmann::json::object();
    if (e.value.IsMap()) return ToJson(e.value);
    Error(e.line, "'" + e.key + "' of " + where + " must be a mapping, not " + Describe(e.value));
    return std::nullopt;
  }

  std::optional<StatusCode> ErrorCode(const Entry& e, const std::string& where) {
    if (auto text = Text(e, where)) {
      for (StatusCode c :
           {StatusCode::kPermissionDenied, StatusCode::kFailedPrecondition,
            StatusCode::kInvalidArgument, StatusCode::kAborted, StatusCode::kNotFound}) {
        if (*text == StatusCodeName(c)) return c;
      }
      Error(e.line, "unknown error '" + *text + "' in " + where +
                        Hint(*text, ExpectableErrorNames()) +
                        "; expected one of: " + Join(ExpectableErrorNames()));
    }
    return std::nullopt;
  }

  void ParseScenario(const YAML::Node& node) {
    const size_t errors_before = out_->errors.size();
    Scenario s;
    s.file = file_;
    s.line = std::max(1, LineOf(node));
    s.start = DefaultScenarioStart();
    if (!node.IsMap()) {
      Error(s.line, "a scenario must be a mapping (workflow, name, steps), not " + Describe(node));
      return;
    }
    std::vector<Entry> entries = Entries(node, kScenarioKeys, "a scenario");
    const Entry* steps = nullptr;
    std::optional<int64_t> version;
    int version_line = 0;
    for (const Entry& e : entries) {
      if (e.key == "workflow") {
        if (auto t = Text(e, "the scenario")) s.workflow = *t;
      } else if (e.key == "version") {
        version = e.value.IsScalar() ? IntWord(e.value.Scalar()) : std::nullopt;
        version_line = e.line;
        if (!version || *version < 1) {
          Error(e.line, "version must be a positive integer, not " + Describe(e.value));
        }
      } else if (e.key == "name") {
        if (auto t = Text(e, "the scenario")) s.name = *t;
      } else if (e.key == "start") {
        if (auto t = Text(e, "the scenario")) {
          Result<TimePoint> at = ParseRfc3339(*t);
          if (at.ok()) {
            s.start = *at;
          } else {
            Error(e.line, "start must be an RFC 3339 instant such as 2026-03-02T09:00:00Z: " +
                              at.status().message());
          }
        }
      } else if (e.key == "time_zone") {
        if (auto t = Text(e, "the scenario")) {
          Result<TimeZone> zone = TimeZone::Find(*t);
          if (zone.ok()) {
            s.time_zone = *zone;
          } else {
            Error(e.line, "time_zone: " + zone.status().message());
          }
        }
      } else if (e.key == "steps") {
        steps = &e;
      }
    }
    for (const char* key : {"workflow", "name", "steps"}) {
      if (std::none_of(entries.begin(), entries.end(),
                       [&](const Entry& e) { return e.key == key; })) {
        Error(s.line, "missing required key '" + std::string(key) + "' in a scenario");
      }
    }
    const WorkflowDefinition* def = nullptr;
    if (!s.workflow.empty()) {
      std::vector<std::string> ids;
      for (const auto& d : defs_) {
        if (d.id != s.workflow) {
          ids.push_back(d.id);
          continue;
        }
        if (version ? d.version == *version : (def == nullptr || d.version > def->version)) {
          def = &d;
        }
      }
      if (def == nullptr) {
        const bool known = ids.size() != defs_.size();  // some definition had this id
        if (known && version) {
          Error(version_line,
                "workflow '" + s.workflow + "' has no version " + std::to_string(*version));
        } else {
          const int line = std::find_if(entries.begin(), entries.end(), [](const Entry& e) {
                             return e.key == "workflow";
                           })->line;
          Error(line, "unknown workflow '" + s.workflow + "'" + Hint(s.workflow, ids) +
                          " (the workflows are read from --workflows, default ./workflows/)");
        }
      }
    }
    if (def != nullptr) s.version = def->version;
    if (steps != nullptr && def != nullptr) {
      ParseSteps(*steps, *def, &s);
    } else if (steps != nullptr && !steps->value.IsSequence()) {
      Error(steps->line, "'steps' must be a list, not " + Describe(steps->value));
    }
    if (out_->errors.size() == errors_before) out_->scenarios.push_back(std::move(s));
  }

  void ParseSteps(const Entry& steps, const WorkflowDefinition& def, Scenario* s) {
    if (!steps.value.IsSequence() || steps.value.size() == 0) {
      Error(steps.line, "'steps' must be a non-empty list, not " + Describe(steps.value));
      return;
    }
    const Names names = Names::Of(def);
    bool created = false;
    for (const auto& node : steps.value) {
      Step step;
      step.line = std::max(1, LineOf(node));
      if (!node.IsMap()) {
        Error(step.line, "a step must be a mapping such as 'fire: EVENT' or 'advance: P30D', not " +
                             Describe(node));
        continue;
      }
      std::string kind;
      for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node key = it->first;
        if (key.IsScalar() &&
            std::find(kStepKinds.begin(), kStepKinds.end(), key.Scalar()) != kStepKinds.end()) {
          if (!kind.empty()) {
            Error(LineOf(key),
                  "a step does one thing; '" + kind + "' and '" + key.Scalar() + "' are two steps");
          }
          kind = key.Scalar();
        }
      }
      if (kind.empty()) {
        const YAML::Node first = node.begin()->first;
        const std::string hint = first.IsScalar() ? Hint(first.Scalar(), kStepKinds) : "";
        Error(step.line, "a step must start with one of: " + Join(kStepKinds) + hint);
        continue;
      }
      if (kind == "create") {
        ParseCreate(node, names, *s, &step);
        if (created) Error(step.line, "a scenario follows one request; it is created once");
        created = true;
      } else {
        if (!created && kind != "advance") {
          Error(step.line, "'" + kind + "' needs a request: start the steps with 'create'");
        }
        if (kind == "fire") ParseFire(node, names, *s, &step);
        if (kind == "advance") ParseAdvance(node, &step);
        if (kind == "expect") ParseExpect(node, def, names, *s, &step);
      }
      s->steps.push_back(std::move(step));
    }
  }

  void ParseAs(const Entry& e, const Names& n, const Scenario& s, bool lenient, Step* step) {
    auto role = Text(e, "the step");
    if (!role) return;
    step->as = *role;
    if (*role == kSystemRole) {
      Error(e.line, "'system' acts only when a clock lapses; use 'advance' to let it lapse");
    } else if (!lenient) {
      std::vector<std::string> roles;
      for (const auto& r : n.roles) {
        if (r != kSystemRole) roles.push_back(r);
      }
      Check(e.line, *role, roles, "role", s);
    }
  }

  void ParseCreate(const YAML::Node& node, const Names& n, const Scenario& s, Step* step) {
    step->kind = StepKind::kCreate;
    if (node.size() != 1) {
      Error(step->line, "write 'create: {as: ROLE, data: {...}}': its keys go under 'create'");
      return;
    }
    const YAML::Node body = node["create"];
    if (!body.IsMap()) {
      Error(step->line, "'create' must be a mapping with 'as' and 'data', not " + Describe(body));
      return;
    }
    std::vector<Entry> entries = Entries(body, kCreateKeys, "'create'");
    const bool lenient = std::any_of(entries.begin(), entries.end(),
                                     [](const Entry& e) { return e.key == "expect_error"; });
    for (const Entry& e : entries) {
      if (e.key == "expect_error") step->expect_error = ErrorCode(e, "'create'");
    }
    for (const Entry& e : entries) {
      if (e.key == "as") {
        ParseAs(e, n, s, lenient, step);
      } else if (e.key == "data") {
        if (auto d = Mapping(e, "'create'")) {
          step->data = *d;
          if (!lenient) CheckFields(e, *d, n, s);
        }
      } else if (e.key == "references") {
        if (auto d = Mapping(e, "'create'")) step->references = *d;
      } else if (e.key == "comment") {
        if (auto t = Text(e, "'create'")) step->comment = *t;
      }
    }
    if (step->as.empty()) Error(step->line, "'create' needs 'as': the role that creates it");
  }

  void ParseFire(const YAML::Node& node, const Names& n, const Scenario& s, Step* step) {
    step->kind = StepKind::kFire;
    std::vector<Entry> entries = Entries(node, kFireKeys, "a 'fire' step");
    const bool lenient = std::any_of(entries.begin(), entries.end(),
                                     [](const Entry& e) { return e.key == "expect_error"; });
    for (const Entry& e : entries) {
      if (e.key == "expect_error") step->expect_error = ErrorCode(e, "a 'fire' step");
    }
    for (const Entry& e : entries) {
      if (e.key == "fire") {
        if (auto t = Text(e, "the step")) {
          step->event = *t;
          if (!lenient) Check(e.line, *t, n.events, "event", s);
        }
      } else if (e.key == "as") {
        ParseAs(e, n, s, lenient, step);
      } else if (e.key == "data") {
        if (auto d = Mapping(e, "a 'fire' step")) {
          step->data = *d;
          if (!lenient) CheckFields(e, *d, n, s);
        }
      } else if (e.key == "expected_revision") {
        auto v = e.value.IsScalar() ? IntWord(e.value.Scalar()) : std::nullopt;
        if (!v || *v < 1) {
          Error(e.line, "expected_revision must be a positive integer, not " + Describe(e.value));
        } else {
          step->expected_revision = *v;
        }
      } else if (e.key == "comment") {
        if (auto t = Text(e, "a 'fire' step")) step->comment = *t;
      }
    }
    if (step->as.empty()) Error(step->line, "'fire' needs 'as': the role that fires the event");
  }

  void ParseAdvance(const YAML::Node& node, Step* step) {
    step->kind = StepKind::kAdvance;
    if (node.size() != 1) {
      Error(step->line, "'advance' takes no other keys");
      return;
    }
    const YAML::Node value = node["advance"];
    if (!value.IsScalar()) {
      Error(step->line,
            "'advance' must be an ISO 8601 duration (P31D) or an RFC 3339 instant, "
            "not " +
                Describe(value));
      return;
    }
    const std::string& text = value.Scalar();
    if (!text.empty() && text[0] == 'P') {
      Result<IsoDuration> d = ParseIsoDuration(text);
      if (d.ok()) {
        step->advance_by = *d;
      } else {
        Error(step->line, "advance: " + d.status().message());
      }
      return;
    }
    Result<TimePoint> at = ParseRfc3339(text);
    if (at.ok()) {
      step->advance_to = *at;
    } else {
      Error(step->line,
            "'advance' must be an ISO 8601 duration (P31D) or an RFC 3339 instant "
            "(2026-04-02T09:00:00Z), not '" +
                text + "'");
    }
  }

  void ParseExpect(const YAML::Node& node, const WorkflowDefinition& def, const Names& n,
                   const Scenario& s, Step* step) {
    step->kind = StepKind::kExpect;
    if (node.size() != 1) {
      Error(step->line, "write 'expect: {state: ..., ...}': its keys go under 'expect'");
      return;
    }
    const YAML::Node body = node["expect"];
    if (!body.IsMap() || body.size() == 0) {
      Error(step->line, "'expect' must be a mapping of what to check, not " + Describe(body));
      return;
    }
    Expectation& x = step->expect;
    for (const Entry& e : Entries(body, kExpectKeys, "'expect'")) {
      if (e.key == "state") {
        x.state_line = e.line;
        if (auto t = Text(e, "'expect'")) {
          x.state = *t;
          Check(e.line, *t, n.states, "state", s);
        }
      } else if (e.key == "phase") {
        x.phase_line = e.line;
        if (auto t = Text(e, "'expect'")) {
          x.phase = ParsePhase(*t);
          if (!x.phase) {
            Error(e.line, "unknown phase '" + *t +
                              "'; expected one of: drafting, transmission, execution, closure");
          }
        }
      } else if (e.key == "data") {
        x.data_line = e.line;
        if (auto d = Mapping(e, "'expect'")) {
          x.data = *d;
          CheckFields(e, *d, n, s);
        }
      } else if (e.key == "revision") {
        x.revision_line = e.line;
        auto v = e.value.IsScalar() ? IntWord(e.value.Scalar()) : std::nullopt;
        if (!v || *v < 1) {
          Error(e.line, "revision must be a positive integer, not " + Describe(e.value));
        } else {
          x.revision = *v;
        }
      } else if (e.key == "as") {
        if (auto t = Text(e, "'expect'")) {
          x.as = *t;
          Check(e.line, *t, n.roles, "role", s);
        }
      } else if (e.key == "history") {
        x.history_line = e.line;
        ParseHistory(e, n, s, &x);
      } else if (auto list = NameList(e, "'expect'")) {
        const bool clocks = e.key != "events";
        for (const auto& name : *list) {
          Check(e.line, name, clocks ? n.clocks : n.events, clocks ? "clock" : "event", s);
        }
        std::sort(list->begin(), list->end());
        if (e.key == "running") x.running = *list, x.running_line = e.line;
        if (e.key == "paused") x.paused = *list, x.paused_line = e.line;
        if (e.key == "lapsed") x.lapsed = *list, x.lapsed_line = e.line;
        if (e.key == "events") x.events = *list, x.events_line = e.line;
      }
    }
    (void)def;
  }

  void ParseHistory(const Entry& e, const Names& n, const Scenario& s, Expectation* x) {
    if (!e.value.IsSequence() || e.value.size() == 0) {
      Error(e.line, "'history' must be a list of events (the end of the history), not " +
                        Describe(e.value));
      return;
    }
    std::vector<std::string> events = n.events;
    events.emplace_back(kCreateEvent);
    std::vector<std::string> actors = n.roles;
    std::vector<ExpectedHistoryEntry> out;
    for (const auto& item : e.value) {
      ExpectedHistoryEntry h;
      h.line = std::max(e.line, LineOf(item));
      if (item.IsScalar()) {
        h.event = item.Scalar();
      } else if (item.IsMap()) {
        for (const Entry& f : Entries(item, kHistoryKeys, "a history entry")) {
          auto t = Text(f, "a history entry");
          if (!t) continue;
          if (f.key == "event") h.event = *t;
          if (f.key == "from") h.from = *t, Check(f.line, *t, n.states, "state", s);
          if (f.key == "to") h.to = *t, Check(f.line, *t, n.states, "state", s);
          if (f.key == "actor") h.actor = *t, Check(f.line, *t, actors, "role", s);
        }
        if (h.event.empty()) {
          Error(h.line, "a history entry needs 'event'");
          continue;
        }
      } else {
        Error(h.line, "a history entry is an event name or {event, from, to, actor}, not " +
                          Describe(item));
        continue;
      }
      Check(h.line, h.event, events, "event", s);
      out.push_back(std::move(h));
    }
    x->history = std::move(out);
  }

  std::string file_;
  const std::vector<WorkflowDefinition>& defs_;
  ScenarioFile* out_;
};

}  // namespace

TimePoint DefaultScenarioStart() { return ParseRfc3339("2026-03-02T09:00:00Z").value(); }

const std::vector<std::string>& ExpectableErrorNames() {
  static const std::vector<std::string> names = {"permission_denied", "failed_precondition",
                                                 "invalid_argument", "aborted", "not_found"};
  return names;
}

ScenarioFile ParseScenarioFile(std::string_view text, const std::string& file,
                               const std::vector<WorkflowDefinition>& definitions) {
  ScenarioFile out;
  Parser parser(file, definitions, &out);
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.empty() || documents[0].IsNull()) {
      parser.Error(1, "the file is empty; expected a scenario (workflow, name, steps)");
    } else {
      if (documents.size() > 1) {
        parser.Error(std::max(1, LineOf(documents[1])),
                     "a file holds one YAML document; list several scenarios under 'scenarios:'");
      }
      parser.ParseRoot(documents[0]);
    }
  } catch (const YAML::Exception& e) {
    parser.Error(e.mark.is_null() ? 1 : e.mark.line + 1, "YAML syntax error: " + e.msg);
  }
  if (!out.errors.empty()) out.scenarios.clear();
  // Sorted by line; a value reached through a YAML alias (*annex_a) is reported once.
  std::stable_sort(
      out.errors.begin(), out.errors.end(),
      [](const DefinitionError& a, const DefinitionError& b) { return a.line < b.line; });
  out.errors.erase(std::unique(out.errors.begin(), out.errors.end(),
                               [](const DefinitionError& a, const DefinitionError& b) {
                                 return a.line == b.line && a.message == b.message;
                               }),
                   out.errors.end());
  return out;
}

std::vector<std::string> ExpandScenarioPaths(const std::vector<std::string>& paths,
                                             std::vector<DefinitionError>* errors) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      errors->push_back(DefinitionError{path, 0, "no such file or folder"});
      continue;
    }
    std::vector<std::string> files;
    if (!fs::is_directory(status)) {
      files.push_back(path);
    } else {
      fs::recursive_directory_iterator it(path, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        const std::string ext = it->path().extension().string();
        if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) {
          files.push_back(it->path().generic_string());
        }
      }
      if (ec) errors->push_back(DefinitionError{path, 0, "cannot read folder: " + ec.message()});
      std::sort(files.begin(), files.end());
    }
    for (auto& f : files) {
      if (seen.insert(f).second) out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace rogatory::cli
