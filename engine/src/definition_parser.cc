// Parses workflow definitions with yaml-cpp. yaml-cpp throws: every exception is caught here
// and becomes a `file:line: message` error, so nothing escapes to the engine's callers.
#include "definition_parser.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <utility>

#include "suggest.h"

namespace rogatory {

std::string EntryKey(std::string_view kind, std::string_view name, std::string_view key) {
  std::string out(kind);
  out += ':';
  out += name;
  out += '/';
  out += key;
  return out;
}

namespace {

const std::vector<std::string> kTopKeys = {
    "workflow",  "version",     "title", "legal_basis", "description", "fields", "states",
    "deadlines", "transitions", "sides", "labels",      "events",      "stats"};
const std::vector<std::string> kRequiredTopKeys = {"workflow", "version", "states", "transitions"};
const std::vector<std::string> kFieldKeys = {"type",  "required",    "default", "values",
                                             "items", "description", "labels",  "value_labels"};
const std::vector<std::string> kStateKeys = {"phase", "initial", "terminal", "description",
                                             "labels"};
const std::vector<std::string> kEventKeys = {"labels", "description"};
const std::vector<std::string> kDeadlineKeys = {"duration",   "on_expiry", "extension",  "counting",
                                                "from_field", "while",     "description"};
const std::vector<std::string> kTransitionKeys = {
    "event", "from",   "to",     "roles", "require", "start",      "stop",
    "pause", "resume", "extend", "when",  "assign",  "description"};
// `le`/`ge` before `lt`/`gt`: among equally close words the first is suggested, and `lte`
// or `gte` mean these.
const std::vector<std::string> kGuardOps = {"set", "eq", "ne", "in", "le", "lt", "ge", "gt"};
const char kPhaseList[] = "drafting, transmission, execution, closure";
const char kTypeList[] = "string, integer, boolean, date, datetime, enum, list";

std::vector<std::string> PhaseNames() {
  std::vector<std::string> out;
  for (int i = 0; i < kPhaseCount; ++i) out.push_back(PhaseName(static_cast<Phase>(i)));
  return out;
}

std::vector<std::string> TypeNames() {
  return {"string", "integer", "boolean", "date", "datetime", "enum", "list"};
}

// yaml-cpp marks are 0-based; a null mark (a node that was never in the text) is line 0.
int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// How a value looks, for messages: "a list", "a mapping", "nothing", "'text'".
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

// A zero ISO 8601 duration such as P0D or PT0S (ParseIsoDuration refuses those): every digit
// is 0 and the same text with 1s is a duration.
bool IsZeroDuration(const YAML::Node& node) {
  if (!node.IsScalar()) return false;
  std::string text = node.Scalar();
  bool digits = false;
  for (char& c : text) {
    if (c >= '1' && c <= '9') return false;
    if (c == '0') {
      c = '1';
      digits = true;
    }
  }
  return digits && ParseIsoDuration(text).ok();
}

// The YAML 1.2 core schema's words for plain (unquoted) scalars.
bool IsNullWord(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> BoolWord(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

std::optional<int64_t> IntWord(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] < '0' || s[j] > '9') return std::nullopt;
  }
  errno = 0;
  long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<int64_t>(v);
}

bool IsFloatWord(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

bool IsQuoted(const YAML::Node& node) {
  return node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str";
}

// A YAML value as JSON, resolving plain scalars by the core schema: `true` is a boolean, `12`
// an integer, `'12'` and `DE` are strings. Used for defaults, whose type the validator checks.
nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (IsQuoted(node)) return s;
      if (IsNullWord(s)) return nullptr;
      if (auto b = BoolWord(s)) return *b;
      if (auto i = IntWord(s)) return *i;
      if (IsFloatWord(s)) return std::strtod(s.c_str(), nullptr);
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

bool IsNullValue(const YAML::Node& node) {
  return node.IsNull() || (node.IsScalar() && !IsQuoted(node) && IsNullWord(node.Scalar()));
}

// One key of a mapping with its value and the key's line.
struct Entry {
  std::string key;
  YAML::Node value;
  int line = 0;
};

// Reads one document into a WorkflowDefinition, collecting every problem of form.
class Parser {
 public:
  Parser(std::string file, ParsedDefinition* out) : file_(std::move(file)), out_(out) {}

  void ParseDocument(const YAML::Node& root);
  void Error(int line, std::string message) {
    out_->errors.push_back(DefinitionError{file_, line, std::move(message)});
  }

 private:
  // An error whose subject the validator must not examine again.
  void Report(int line, const std::string& note, std::string message) {
    out_->notes.reported.insert(note);
    Error(line, std::move(message));
  }

  // The entries of `map`. With `allowed`, unknown and repeated keys are reported and left out;
  // without, every entry is kept (names of states etc., whose repeats the validator reports).
  std::vector<Entry> Entries(const YAML::Node& map, const std::vector<std::string>* allowed,
                             const std::string& where);
  // A text value, or nullopt after reporting under `note`. Null is "" when `null_ok`.
  std::optional<std::string> Text(const Entry& e, const std::string& where, const std::string& note,
                                  bool null_ok);
  std::optional<bool> Flag(const Entry& e, const std::string& where, const std::string& note);
  // A name or a list of names.
  std::optional<std::vector<std::string>> Names(const Entry& e, const std::string& where,
                                                const std::string& note);
  // An ISO 8601 duration; nullopt after reporting.
  std::optional<IsoDuration> Duration(const Entry& e, const std::string& where,
                                      const std::string& note);
  std::optional<FieldType> Type(const Entry& e, const std::string& where, const std::string& note);

  void ParseFields(const Entry& section);
  void ParseStates(const Entry& section);
  void ParseDeadlines(const Entry& section);
  void ParseTransitions(const Entry& section);
  void ParseSides(const Entry& section);
  void ParseEvents(const Entry& section);
  void ParseStats(const Entry& section);
  // A `labels: {LANG: text}` mapping; problems are reported and leave `out` partial.
  void ParseLabels(const Entry& e, const std::string& where, Labels* out);
  void ParseTransition(const YAML::Node& node, int index);
  // A transition's `when`; conditions it cannot read are reported under `note` and left out.
  void ParseWhen(const Entry& e, const std::string& where, const std::string& note,
                 std::vector<GuardCondition>* out);

  WorkflowDefinition& def() { return *out_->definition; }
  ParseNotes& notes() { return out_->notes; }

  std::string file_;
  ParsedDefinition* out_;
};

std::string Of(const std::string& key, const std::string& where) {
  return "'" + key + "'" + (where.empty() ? "" : " of " + where);
}

std::string In(const std::string& where) { return where.empty() ? "" : " in " + where; }

std::vector<Entry> Parser::Entries(const YAML::Node& map, const std::vector<std::string>* allowed,
                                   const std::string& where) {
  std::vector<Entry> out;
  std::map<std::string, int> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    // A copy: the iterator's operator-> returns a proxy that dies at the end of the statement.
    const YAML::Node key_node = it->first;
    const int line = LineOf(key_node);
    if (!key_node.IsScalar()) {
      Error(line, "keys must be names, not " + Describe(key_node) + In(where));
      continue;
    }
    const std::string key = key_node.Scalar();
    if (allowed != nullptr) {
      if (std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
        std::string hint = DidYouMean(key, *allowed);
        if (hint.empty()) {
          hint = "; expected one of: ";
          for (size_t i = 0; i < allowed->size(); ++i) hint += (i ? ", " : "") + (*allowed)[i];
        }
        Error(line, "unknown key '" + key + "'" + In(where) + hint);
        continue;
      }
      auto [first, inserted] = seen.emplace(key, line);
      if (!inserted) {
        Error(line, "duplicate key '" + key + "'" + In(where) + " (first on line " +
                        std::to_string(first->second) + ")");
        continue;
      }
    }
    out.push_back(Entry{key, it->second, line});
  }
  return out;
}

std::optional<std::string> Parser::Text(const Entry& e, const std::string& where,
                                        const std::string& note, bool null_ok) {
  if (IsNullValue(e.value)) {
    if (null_ok) return std::string();
  } else if (e.value.IsScalar()) {
    return e.value.Scalar();
  }
  Report(e.line, note, Of(e.key, where) + " must be text, not " + Describe(e.value));
  return std::nullopt;
}

std::optional<bool> Parser::Flag(const Entry& e, const std::string& where,
                                 const std::string& note) {
  if (e.value.IsScalar() && !IsQuoted(e.value)) {
    if (auto b = BoolWord(e.value.Scalar())) return b;
  }
  Report(e.line, note, Of(e.key, where) + " must be true or false, not " + Describe(e.value));
  return std::nullopt;
}

std::optional<std::vector<std::string>> Parser::Names(const Entry& e, const std::string& where,
                                                      const std::string& note) {
  std::vector<std::string> out;
  if (IsNullValue(e.value)) return out;
  if (e.value.IsScalar()) {
    out.push_back(e.value.Scalar());
    return out;
  }
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
  Report(e.line, note,
         Of(e.key, where) + " must be a name or a list of names, not " + Describe(e.value));
  return std::nullopt;
}

std::optional<IsoDuration> Parser::Duration(const Entry& e, const std::string& where,
                                            const std::string& note) {
  if (!e.value.IsScalar()) {
    Report(
        e.line, note,
        Of(e.key, where) + " must be an ISO 8601 duration such as P30D, not " + Describe(e.value));
    return std::nullopt;
  }
  Result<IsoDuration> d = ParseIsoDuration(e.value.Scalar());
  if (!d.ok()) {
    Report(e.line, note, Of(e.key, where) + ": " + d.status().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<FieldType> Parser::Type(const Entry& e, const std::string& where,
                                      const std::string& note) {
  std::optional<std::string> name = Text(e, where, note, false);
  if (!name) return std::nullopt;
  std::optional<FieldType> type = ParseFieldType(*name);
  if (!type) {
    std::string hint = DidYouMean(*name, TypeNames());
    Report(e.line, note,
           "unknown type '" + *name + "' for " + where + "; use one of " + kTypeList + hint);
  }
  return type;
}

void Parser::ParseDocument(const YAML::Node& root) {
  out_->definition.emplace();
  def().line = std::max(1, LineOf(root));
  std::vector<Entry> entries = Entries(root, &kTopKeys, "");
  for (const auto& key : kRequiredTopKeys) {
    bool present =
        std::any_of(entries.begin(), entries.end(), [&](const Entry& e) { return e.key == key; });
    if (!present) Report(def().line, key, "missing required key '" + key + "'");
  }
  for (const Entry& e : entries) {
    if (e.key == "workflow") {
      notes().workflow_line = e.line;
      if (auto id = Text(e, "", "workflow", false)) def().id = *id;
    } else if (e.key == "version") {
      notes().version_line = e.line;
      std::optional<int64_t> v;
      if (e.value.IsScalar()) v = IntWord(e.value.Scalar());
      if (!v || *v > INT_MAX || *v < INT_MIN) {
        Report(e.line, "version", "version must be a positive integer, not " + Describe(e.value));
      } else {
        def().version = static_cast<int>(*v);
      }
    } else if (e.key == "title") {
      if (auto t = Text(e, "", "title", true)) def().title = *t;
    } else if (e.key == "legal_basis") {
      if (auto t = Text(e, "", "legal_basis", true)) def().legal_basis = *t;
    } else if (e.key == "description") {
      if (auto t = Text(e, "", "description", true)) def().description = *t;
    } else if (e.key == "fields") {
      ParseFields(e);
    } else if (e.key == "states") {
      notes().states_line = e.line;
      ParseStates(e);
    } else if (e.key == "deadlines") {
      ParseDeadlines(e);
    } else if (e.key == "transitions") {
      notes().transitions_line = e.line;
      ParseTransitions(e);
    } else if (e.key == "sides") {
      ParseSides(e);
    } else if (e.key == "labels") {
      ParseLabels(e, "the title", &def().labels);
    } else if (e.key == "events") {
      ParseEvents(e);
    } else if (e.key == "stats") {
      ParseStats(e);
    }
  }
}

namespace {

// A BCP 47 language tag as the console needs it: a 2-3 letter language, then subtags of
// 1-8 letters or digits ("fr", "ar", "pt-BR", "sr-Latn"). Not a full RFC 5646 check.
bool IsLanguageTag(const std::string& tag) {
  size_t i = 0;
  while (i < tag.size() && std::isalpha(static_cast<unsigned char>(tag[i]))) ++i;
  if (i < 2 || i > 3) return false;
  while (i < tag.size()) {
    if (tag[i] != '-') return false;
    size_t start = ++i;
    while (i < tag.size() && std::isalnum(static_cast<unsigned char>(tag[i]))) ++i;
    if (i - start < 1 || i - start > 8) return false;
  }
  return true;
}

}  // namespace

void Parser::ParseLabels(const Entry& e, const std::string& where, Labels* out) {
  if (!e.value.IsMap()) {
    Error(e.line, Of("labels", where) +
                      " must be a mapping of language tags to text, such as {fr: \"émis\", "
                      "ar: \"صادر\"}, not " +
                      Describe(e.value));
    return;
  }
  for (const Entry& label : Entries(e.value, nullptr, Of("labels", where))) {
    if (!IsLanguageTag(label.key)) {
      Error(label.line, "'" + label.key + "' in " + Of("labels", where) +
                            " is not a language tag; use a BCP 47 tag such as fr, ar or pt-BR");
      continue;
    }
    if (!label.value.IsScalar() || IsNullValue(label.value) || label.value.Scalar().empty()) {
      Error(label.line, "the '" + label.key + "' label of " + where + " must be text, not " +
                            Describe(label.value));
      continue;
    }
    (*out)[label.key] = label.value.Scalar();
  }
}

void Parser::ParseEvents(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsMap()) {
    Error(section.line,
          "'events' must be a mapping of event names, not " + Describe(section.value));
    return;
  }
  for (const Entry& entry : Entries(section.value, nullptr, "'events'")) {
    EventDef ev;
    ev.name = entry.key;
    ev.line = entry.line;
    const std::string where = "event '" + ev.name + "'";
    if (!entry.value.IsMap()) {
      Error(entry.line, where + " must be a mapping such as {labels: {fr: \"émettre\"}}, not " +
                            Describe(entry.value));
      continue;
    }
    for (const Entry& e : Entries(entry.value, &kEventKeys, where)) {
      if (e.key == "labels") {
        ParseLabels(e, where, &ev.labels);
      } else if (e.key == "description") {
        if (auto t = Text(e, where, EntryKey("event", ev.name, "description"), true)) {
          ev.description = *t;
        }
      }
    }
    def().events.push_back(std::move(ev));
  }
}

void Parser::ParseStats(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsSequence()) {
    Error(section.line,
          "'stats' must be a list of field names (and at most one {counterpart: FIELD}), not " +
              Describe(section.value));
    return;
  }
  for (const auto& item : section.value) {
    const int line = LineOf(item);
    if (item.IsScalar() && !IsNullValue(item)) {
      def().stats.fields.push_back(item.Scalar());
      def().stats.field_lines.push_back(line);
    } else if (item.IsMap() && item.size() == 1 && item.begin()->first.IsScalar() &&
               item.begin()->first.Scalar() == "counterpart" && item.begin()->second.IsScalar() &&
               !IsNullValue(item.begin()->second)) {
      if (!def().stats.counterpart.empty()) {
        Error(line, "'stats' names a counterpart field twice (first on line " +
                        std::to_string(def().stats.counterpart_line) + ")");
        continue;
      }
      def().stats.counterpart = item.begin()->second.Scalar();
      def().stats.counterpart_line = line;
    } else {
      Error(line, "each entry of 'stats' must be a field name or {counterpart: FIELD}, not " +
                      Describe(item));
    }
  }
}

void Parser::ParseFields(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsMap()) {
    Report(section.line, "fields",
           "'fields' must be a mapping of field names, not " + Describe(section.value));
    return;
  }
  for (const Entry& entry : Entries(section.value, nullptr, "'fields'")) {
    FieldDef f;
    f.name = entry.key;
    f.line = entry.line;
    const std::string where = "field '" + f.name + "'";
    const std::string type_note = EntryKey("field", f.name, "type");
    if (!entry.value.IsMap()) {
      Report(entry.line, type_note,
             where + " must be a mapping such as {type: string}, not " + Describe(entry.value));
      def().fields.push_back(std::move(f));
      continue;
    }
    bool has_type = false;
    for (const Entry& e : Entries(entry.value, &kFieldKeys, where)) {
      if (e.key == "type") {
        has_type = true;
        if (auto t = Type(e, where, type_note)) f.type = *t;
      } else if (e.key == "required") {
        if (auto b = Flag(e, where, EntryKey("field", f.name, "required"))) f.required = *b;
      } else if (e.key == "default") {
        if (!IsNullValue(e.value)) f.default_value = ToJson(e.value);
      } else if (e.key == "values") {
        const std::string note = EntryKey("field", f.name, "values");
        if (!e.value.IsSequence()) {
          Report(e.line, note, Of("values", where) + " must be a list, not " + Describe(e.value));
        } else if (auto names = Names(e, where, note)) {
          f.values = *names;
        }
      } else if (e.key == "items") {
        // An unknown item type also makes the default uncheckable.
        if (auto t = Type(e, "the items of " + where, EntryKey("field", f.name, "items"))) {
          f.items = *t;
        } else {
          notes().reported.insert(type_note);
        }
      } else if (e.key == "description") {
        if (auto t = Text(e, where, EntryKey("field", f.name, "description"), true)) {
          f.description = *t;
        }
      } else if (e.key == "labels") {
        ParseLabels(e, where, &f.labels);
      } else if (e.key == "value_labels") {
        f.value_labels_line = e.line;
        if (!e.value.IsMap()) {
          Error(e.line, Of("value_labels", where) +
                            " must be a mapping of values to labels, such as {fraud: {fr: "
                            "\"escroquerie\"}}, not " +
                            Describe(e.value));
        } else {
          for (const Entry& v : Entries(e.value, nullptr, Of("value_labels", where))) {
            Labels& labels = f.value_labels[v.key];
            ParseLabels(v, "value '" + v.key + "' of " + where, &labels);
          }
        }
      }
    }
    if (!has_type) {
      Report(entry.line, type_note, where + " has no type; use one of " + std::string(kTypeList));
    }
    def().fields.push_back(std::move(f));
  }
}

void Parser::ParseStates(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsMap()) {
    Report(section.line, "states",
           "'states' must be a mapping of state names, not " + Describe(section.value));
    return;
  }
  for (const Entry& entry : Entries(section.value, nullptr, "'states'")) {
    StateDef s;
    s.name = entry.key;
    s.line = entry.line;
    const std::string where = "state '" + s.name + "'";
    const std::string phase_note = EntryKey("state", s.name, "phase");
    if (!entry.value.IsMap()) {
      Report(entry.line, phase_note,
             where + " must be a mapping such as {phase: drafting}, not " + Describe(entry.value));
      def().states.push_back(std::move(s));
      continue;
    }
    bool has_phase = false;
    for (const Entry& e : Entries(entry.value, &kStateKeys, where)) {
      if (e.key == "phase") {
        has_phase = true;
        if (auto name = Text(e, where, phase_note, false)) {
          if (auto phase = ParsePhase(*name)) {
            s.phase = *phase;
          } else {
            Report(e.line, phase_note,
                   "unknown phase '" + *name + "' for " + where + "; use one of " + kPhaseList +
                       DidYouMean(*name, PhaseNames()));
          }
        }
      } else if (e.key == "initial") {
        // A malformed flag makes "how many initial states" unanswerable.
        if (auto b = Flag(e, where, "initial")) s.initial = *b;
      } else if (e.key == "terminal") {
        if (auto b = Flag(e, where, "terminal")) s.terminal = *b;
      } else if (e.key == "description") {
        if (auto t = Text(e, where, EntryKey("state", s.name, "description"), true)) {
          s.description = *t;
        }
      } else if (e.key == "labels") {
        ParseLabels(e, where, &s.labels);
      }
    }
    if (!has_phase) {
      Report(entry.line, phase_note,
             where + " has no phase; use one of " + std::string(kPhaseList));
    }
    def().states.push_back(std::move(s));
  }
}

void Parser::ParseDeadlines(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsMap()) {
    Report(section.line, "deadlines",
           "'deadlines' must be a mapping of deadline names, not " + Describe(section.value));
    return;
  }
  for (const Entry& entry : Entries(section.value, nullptr, "'deadlines'")) {
    DeadlineDef d;
    d.name = entry.key;
    d.line = entry.line;
    const std::string where = "deadline '" + d.name + "'";
    if (!entry.value.IsMap()) {
      Report(entry.line, EntryKey("deadline", d.name, "*"),
             where + " must be a mapping such as {duration: P30D, on_expiry: overdue}, not " +
                 Describe(entry.value));
      def().deadlines.push_back(std::move(d));
      continue;
    }
    // The durations written with a time part (PT36H, P1DT12H): refused below under counting: days.
    std::vector<std::pair<const Entry*, std::string>> timed;
    const std::vector<Entry> entries = Entries(entry.value, &kDeadlineKeys, where);
    for (const Entry& e : entries) {
      const std::string note = EntryKey("deadline", d.name, e.key);
      if (e.key == "duration" && IsZeroDuration(e.value)) {
        // CONTRACT §7: P0D (the date itself is the deadline) is for `from_field` clocks; the
        // validator says so for the others.
        out_->notes.reported.insert(EntryKey("deadline", d.name, "zero"));
      } else if (e.key == "duration" || e.key == "extension") {
        auto v = Duration(e, where, note);
        if (!v) continue;
        (e.key == "duration" ? d.duration : d.extension.emplace()) = *v;
        if (e.value.Scalar().find('T') != std::string::npos) timed.emplace_back(&e, note);
      } else if (e.key == "from_field") {
        if (auto t = Text(e, where, note, false)) d.from_field = *t;
      } else if (e.key == "while") {
        if (auto v = Names(e, where, note)) d.while_states = std::move(*v);
      } else if (e.key == "counting") {
        auto t = Text(e, where, note, false);
        if (t && *t == "days") {
          d.counting = Counting::kDays;
        } else if (t && *t != "exact") {
          Report(e.line, note,
                 Of(e.key, where) + " must be exact or days, not '" + *t + "'" +
                     DidYouMean(*t, {"exact", "days"}));
        }
      } else if (e.key == "on_expiry") {
        if (auto t = Text(e, where, note, false)) d.on_expiry = *t;
      } else if (e.key == "description") {
        if (auto t = Text(e, where, note, true)) d.description = *t;
      }
    }
    if (d.counting == Counting::kDays) {
      for (const auto& [e, note] : timed) {
        Report(e->line, note,
               where + " counts whole days (counting: days), so its " + e->key + " '" +
                   e->value.Scalar() +
                   "' cannot have a time part; give days, weeks, months or years (P2D), or "
                   "counting: exact");
      }
    }
    def().deadlines.push_back(std::move(d));
  }
}

void Parser::ParseSides(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsMap()) {
    Report(section.line, "sides",
           "'sides' must be a mapping of side names to the roles that act for them, such as "
           "{issuing: [issuing_authority]}, not " +
               Describe(section.value));
    return;
  }
  for (const Entry& entry : Entries(section.value, nullptr, "'sides'")) {
    SideDef side;
    side.name = entry.key;
    side.line = entry.line;
    if (auto roles = Names(entry, "'sides'", EntryKey("side", side.name, "roles"))) {
      side.roles = std::move(*roles);
    }
    def().sides.push_back(std::move(side));
  }
}

void Parser::ParseTransitions(const Entry& section) {
  if (IsNullValue(section.value)) return;
  if (!section.value.IsSequence()) {
    Report(section.line, "transitions",
           "'transitions' must be a list of transitions, not " + Describe(section.value));
    notes().transitions_incomplete = true;
    return;
  }
  int index = 0;
  for (const auto& node : section.value) ParseTransition(node, index++);
}

void Parser::ParseTransition(const YAML::Node& node, int index) {
  const int line = LineOf(node);
  if (!node.IsMap()) {
    Error(line, "transition #" + std::to_string(index + 1) +
                    " must be a mapping such as {event: issue, from: draft, to: issued, roles: "
                    "[prosecutor]}, not " +
                    Describe(node));
    notes().transitions_incomplete = true;
    return;
  }
  TransitionDef t;
  t.line = line;
  const std::string i = std::to_string(index);
  // Name the transition by its event in messages when it has one.
  std::string where = "transition #" + std::to_string(index + 1);
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "event" && it->second.IsScalar()) {
      where = "transition '" + it->second.Scalar() + "'";
      break;
    }
  }
  for (const Entry& e : Entries(node, &kTransitionKeys, where)) {
    const std::string note = EntryKey("transition", i, e.key);
    if (e.key == "event") {
      if (auto v = Text(e, where, note, false)) t.event = *v;
    } else if (e.key == "from") {
      std::optional<std::vector<std::string>> from = Names(e, where, note);
      if (!from) {
        notes().transitions_incomplete = true;
      } else if (from->size() == 1 && (*from)[0] == "*" && e.value.IsScalar()) {
        t.from_any = true;
      } else if (std::find(from->begin(), from->end(), "*") != from->end()) {
        Report(e.line, note, "'*' must stand alone in 'from' of " + where);
        notes().transitions_incomplete = true;
      } else {
        t.from = std::move(*from);
      }
    } else if (e.key == "to") {
      if (IsNullValue(e.value)) continue;  // explicit null: stays, like an omitted `to`
      if (auto v = Text(e, where, note, false)) {
        t.to = *v;
      } else {
        notes().transitions_incomplete = true;
      }
    } else if (e.key == "description") {
      if (auto v = Text(e, where, note, true)) t.description = *v;
    } else if (e.key == "when") {
      ParseWhen(e, where, note, &t.when);
    } else {
      std::vector<std::string>* list = e.key == "roles"     ? &t.roles
                                       : e.key == "require" ? &t.require
                                       : e.key == "start"   ? &t.start
                                       : e.key == "stop"    ? &t.stop
                                       : e.key == "pause"   ? &t.pause
                                       : e.key == "resume"  ? &t.resume
                                       : e.key == "assign"  ? &t.assign
                                                            : &t.extend;
      if (auto v = Names(e, where, note)) *list = std::move(*v);
    }
  }
  def().transitions.push_back(std::move(t));
}

void Parser::ParseWhen(const Entry& e, const std::string& where, const std::string& note,
                       std::vector<GuardCondition>* out) {
  if (!e.value.IsMap()) {
    Report(e.line, note,
           Of("when", where) + " must be a mapping of field names to conditions, such as " +
               "{legal_basis: ece_1957}, not " + Describe(e.value));
    return;
  }
  const std::string in_when = "'when' of " + where;
  // An unknown operator is reported by Entries without a note: note it, so that the validator
  // does not take the incomplete `when` for a missing one.
  struct NoteOnError {
    Parser* parser;
    const std::string& note;
    size_t errors;
    ~NoteOnError() {
      if (parser->out_->errors.size() > errors) parser->out_->notes.reported.insert(note);
    }
  } note_on_error{this, note, out_->errors.size()};
  for (const Entry& cond : Entries(e.value, nullptr, in_when)) {
    const std::string subject = "the condition on '" + cond.key + "' in " + in_when;
    auto scalars = [&](const YAML::Node& list) {
      for (const auto& item : list) {
        if (!item.IsScalar() || IsNullValue(item)) return false;
      }
      return list.size() > 0;
    };
    if (cond.value.IsMap()) {
      for (const Entry& op : Entries(cond.value, &kGuardOps, subject)) {
        GuardCondition c{cond.key, GuardOp::kEq, ToJson(op.value), op.line};
        c.op = op.key == "set"  ? GuardOp::kSet
               : op.key == "eq" ? GuardOp::kEq
               : op.key == "ne" ? GuardOp::kNe
               : op.key == "in" ? GuardOp::kIn
               : op.key == "lt" ? GuardOp::kLt
               : op.key == "le" ? GuardOp::kLe
               : op.key == "gt" ? GuardOp::kGt
                                : GuardOp::kGe;
        if (c.op == GuardOp::kSet && !c.value.is_boolean()) {
          Report(op.line, note,
                 "'set' in " + subject + " must be true or false, not " + Describe(op.value));
        } else if (c.op == GuardOp::kIn && !(op.value.IsSequence() && scalars(op.value))) {
          Report(op.line, note,
                 "'in' in " + subject + " must be a list of values, not " + Describe(op.value));
        } else if (c.op != GuardOp::kIn && c.op != GuardOp::kSet &&
                   (!op.value.IsScalar() || IsNullValue(op.value))) {
          Report(
              op.line, note,
              "'" + op.key + "' in " + subject + " must be one value, not " + Describe(op.value));
        } else {
          out->push_back(std::move(c));
        }
      }
    } else if (cond.value.IsSequence() && scalars(cond.value)) {
      out->push_back(GuardCondition{cond.key, GuardOp::kIn, ToJson(cond.value), cond.line});
    } else if (cond.value.IsScalar() && !IsNullValue(cond.value)) {
      out->push_back(GuardCondition{cond.key, GuardOp::kEq, ToJson(cond.value), cond.line});
    } else {
      Report(cond.line, note,
             subject + " must be a value, a list of values or an object such as {ge: 3}, not " +
                 Describe(cond.value));
    }
  }
}

// Notes, per document of a YAML stream, the line of its first node, if it has one.
class DocumentScanner final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override { line_ = 0; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Saw(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Saw(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Saw(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Saw(mark);
  }
  void OnMapEnd() override {}

  // The line of the last document's first node, or 0 when it held nothing.
  int line() const { return line_; }

 private:
  void Saw(const YAML::Mark& mark) {
    if (line_ == 0) line_ = mark.is_null() ? 1 : mark.line + 1;
  }
  int line_ = 0;
};

// The first line of each document in `text` that holds something. Throws YAML::Exception on
// a syntax error.
//
// Not YAML::LoadAll: yaml-cpp 0.7's loops forever, allocating without end, on some malformed
// streams such as one starting with a stray ',' (upstream issue #1040, fixed after 0.8). Here
// the first document without content ends the walk, which also skips trailing empty ones.
std::vector<int> DocumentLines(const std::string& text) {
  constexpr int kMaxDocuments = 100;
  std::istringstream in(text);
  YAML::Parser events(in);
  DocumentScanner scanner;
  std::vector<int> lines;
  for (int i = 0; i < kMaxDocuments && events.HandleNextDocument(scanner); ++i) {
    if (scanner.line() == 0) break;
    lines.push_back(scanner.line());
  }
  return lines;
}

// The number of the first line that is neither blank nor a comment, or 0 if there is none.
int FirstContentLine(const std::string& text) {
  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#') return number;
  }
  return 0;
}

}  // namespace

ParsedDefinition ParseDefinitionYaml(std::string_view text, std::string_view file_name) {
  ParsedDefinition out;
  Parser parser{std::string(file_name), &out};
  const std::string source(text);
  std::vector<int> document_lines;
  YAML::Node root;
  try {
    document_lines = DocumentLines(source);
    if (!document_lines.empty()) root = YAML::Load(source);
  } catch (const YAML::Exception& e) {
    std::string message = "YAML syntax error: " + e.msg;
    // A bare * starts a YAML alias; `from: *` is the likeliest way to get here.
    if (e.msg.find("after *") != std::string::npos) {
      message += " (for every non-terminal state write from: \"*\", in quotes)";
    }
    parser.Error(e.mark.is_null() ? 1 : e.mark.line + 1, message);
    return out;
  }
  if (document_lines.empty()) {
    if (const int line = FirstContentLine(source); line > 0) {
      parser.Error(line, "YAML syntax error: no YAML document can be read from here");
    } else {
      parser.Error(1,
                   "the file is empty; expected a workflow definition (workflow, version, "
                   "states, transitions)");
    }
    return out;
  }
  for (size_t i = 1; i < document_lines.size(); ++i) {
    parser.Error(document_lines[i],
                 "a file holds one workflow definition; this is another YAML document");
  }
  if (!root.IsMap()) {
    parser.Error(std::max(1, LineOf(root)),
                 "the document must be a mapping with workflow, version, states and "
                 "transitions, not " +
                     Describe(root));
    return out;
  }
  try {
    parser.ParseDocument(root);
  } catch (const YAML::Exception& e) {
    // Not expected: every access above checks the node's kind first.
    parser.Error(e.mark.is_null() ? 1 : e.mark.line + 1, "cannot read the YAML: " + e.msg);
  }
  if (out.definition) {
    out.definition->source = std::string(text);
    out.definition->source_name = std::string(file_name);
  }
  return out;
}

}  // namespace rogatory
