// The meaning checks of a workflow definition. Phase order is never encoded here: every move
// is put to the Boost.MSM lifecycle machine (lifecycle.h).
#include "definition_validator.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "field_check.h"
#include "lifecycle.h"
#include "suggest.h"
#include "utf8.h"

namespace rogatory {

bool IsIdentifier(std::string_view name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

namespace {

const char kIdentifierRule[] = "use lowercase letters, digits and '_', starting with a letter";
const char kLifecycleRule[] =
    "phases run drafting -> transmission -> execution -> closure; only transmission may go "
    "back, to drafting; nothing leaves closure";

std::string TransitionName(const TransitionDef& t, size_t index) {
  return t.event.empty() ? "transition #" + std::to_string(index + 1)
                         : "transition '" + t.event + "'";
}

class Validator {
 public:
  Validator(const WorkflowDefinition& def, const ParseNotes& notes) : def_(def), notes_(notes) {
    // Names are looked up through hash maps (the first definition of each name wins, as
    // WorkflowDefinition::Find* do), so validation stays linear in the size of the workflow.
    for (const auto& s : def_.states) {
      state_names_.push_back(s.name);
      states_.emplace(s.name, &s);
    }
    for (const auto& f : def_.fields) {
      field_names_.push_back(f.name);
      fields_.emplace(f.name, &f);
    }
    for (const auto& d : def_.deadlines) {
      deadline_names_.push_back(d.name);
      deadlines_.emplace(d.name, &d);
    }
    std::unordered_set<std::string_view> events;
    for (const auto& t : def_.transitions) {
      if (!t.event.empty() && events.insert(t.event).second) event_names_.push_back(t.event);
    }
  }

  std::vector<DefinitionError> Run() {
    CheckText();
    CheckHeader();
    CheckNames("field", field_names_, [&](size_t i) { return def_.fields[i].line; });
    CheckNames("state", state_names_, [&](size_t i) { return def_.states[i].line; });
    CheckNames("deadline", deadline_names_, [&](size_t i) { return def_.deadlines[i].line; });
    for (const auto& f : def_.fields) CheckField(f);
    CheckStates();
    for (size_t i = 0; i < def_.transitions.size(); ++i) CheckTransition(i);
    for (const auto& d : def_.deadlines) CheckDeadline(d);
    CheckSides();
    CheckEvents();
    CheckValueLabels();
    CheckStats();
    CheckGraph();
    return std::move(errors_);
  }

 private:
  void Error(int line, std::string message) {
    errors_.push_back(
        DefinitionError{def_.source_name, line > 0 ? line : def_.line, std::move(message)});
  }
  bool Reported(const std::string& key) const { return notes_.Reported(key); }
  bool StatesUsable() const { return !Reported("states"); }

  // Every text is served as JSON later (GET /v1/workflows), so it must be valid UTF-8. A
  // definition parsed from a file was checked whole already; this catches one built in code.
  void CheckText() {
    auto check = [&](std::string_view text, int line, const std::string& what) {
      if (!IsValidUtf8(text)) Error(line, "invalid UTF-8 in " + what);
    };
    if (size_t bad = FindInvalidUtf8(def_.source); bad != std::string_view::npos) {
      Error(1 + static_cast<int>(std::count(
                    def_.source.begin(), def_.source.begin() + static_cast<ptrdiff_t>(bad), '\n')),
            "invalid UTF-8");
    }
    for (const auto& [text, what] :
         {std::pair<const std::string*, const char*>{&def_.id, "the workflow id"},
          {&def_.title, "the title"},
          {&def_.legal_basis, "the legal basis"},
          {&def_.description, "the description"}}) {
      check(*text, def_.line, what);
    }
    for (const auto& f : def_.fields) {
      check(f.name, f.line, "a field name");
      check(f.description, f.line, "a field description");
      for (const auto& v : f.values) check(v, f.line, "a field value");
      if (f.default_value && !CheckJsonUtf8(*f.default_value, "").ok()) {
        Error(f.line, "invalid UTF-8 in a field default");
      }
    }
    for (const auto& st : def_.states) {
      check(st.name, st.line, "a state name");
      check(st.description, st.line, "a state description");
    }
    for (const auto& d : def_.deadlines) {
      check(d.name, d.line, "a deadline name");
      check(d.on_expiry, d.line, "a deadline's on_expiry");
      check(d.description, d.line, "a deadline description");
    }
    for (const auto& t : def_.transitions) {
      bool ok = IsValidUtf8(t.event) && IsValidUtf8(t.to) && IsValidUtf8(t.description);
      for (const auto* list : {&t.from, &t.roles, &t.require, &t.start, &t.stop, &t.pause,
                               &t.resume, &t.extend, &t.assign}) {
        for (const auto& name : *list) ok = ok && IsValidUtf8(name);
      }
      if (!ok) Error(t.line, "invalid UTF-8 in a transition");
    }
    for (const auto& side : def_.sides) {
      bool ok = IsValidUtf8(side.name);
      for (const auto& role : side.roles) ok = ok && IsValidUtf8(role);
      if (!ok) Error(side.line, "invalid UTF-8 in a side");
    }
  }

  void CheckHeader() {
    if (!Reported("workflow") && !IsIdentifier(def_.id)) {
      Error(notes_.workflow_line,
            "workflow id '" + def_.id + "' is invalid: " + kIdentifierRule + " (e.g. eio)");
    }
    if (!Reported("version") && def_.version <= 0) {
      Error(notes_.version_line,
            "version must be a positive integer, not " + std::to_string(def_.version));
    }
  }

  template <typename LineOf>
  void CheckNames(const std::string& kind, const std::vector<std::string>& names, LineOf line_of) {
    std::map<std::string, int> first;
    for (size_t i = 0; i < names.size(); ++i) {
      const int line = line_of(i);
      if (!IsIdentifier(names[i])) {
        Error(line, kind + " name '" + names[i] + "' is invalid: " + kIdentifierRule);
      }
      auto [it, inserted] = first.emplace(names[i], line);
      if (!inserted) {
        Error(line, "duplicate " + kind + " '" + names[i] + "' (first defined on line " +
                        std::to_string(it->second) + ")");
      }
    }
  }

  void CheckField(const FieldDef& f) {
    const std::string where = "field '" + f.name + "'";
    if (Reported(EntryKey("field", f.name, "type"))) return;
    bool usable = true;
    const bool enum_values =
        f.type == FieldType::kEnum || (f.type == FieldType::kList && f.items == FieldType::kEnum);
    if (enum_values && f.values.empty() && !Reported(EntryKey("field", f.name, "values"))) {
      Error(f.line, where + " is " + (f.type == FieldType::kEnum ? "an enum" : "a list of enum") +
                        " but has no values; list them, e.g. values: [a, b]");
      usable = false;
    }
    if (!enum_values && !f.values.empty()) {
      Error(f.line, "'values' applies only to enum fields (or lists with items: enum); " + where +
                        " has type " + FieldTypeName(f.type));
      usable = false;
    }
    std::set<std::string> seen;
    for (const auto& v : f.values) {
      if (!seen.insert(v).second) Error(f.line, where + " lists the value '" + v + "' twice");
    }
    if (f.items && f.type != FieldType::kList) {
      Error(f.line,
            "'items' applies only to list fields; " + where + " has type " + FieldTypeName(f.type));
      usable = false;
    }
    if (f.items == FieldType::kList) {
      Error(f.line, "the items of " + where + " cannot be lists themselves");
      usable = false;
    }
    if (usable && f.default_value) {
      Status s = CheckFieldValue(f, *f.default_value);
      if (!s.ok()) Error(f.line, "the default of " + s.message());
    }
  }

  void CheckStates() {
    if (!StatesUsable()) return;
    const int line = notes_.states_line;
    if (def_.states.empty()) {
      Error(line, "'states' lists no states; a workflow needs an initial and a terminal state");
      return;
    }
    if (!Reported("initial")) {
      const StateDef* first = nullptr;
      for (const auto& s : def_.states) {
        if (!s.initial) continue;
        if (first == nullptr) {
          first = &s;
        } else {
          Error(s.line, "state '" + s.name + "' is initial too, but only one state may be (" + "'" +
                            first->name + "' on line " + std::to_string(first->line) + " is)");
        }
      }
      if (first == nullptr) {
        Error(line, "no initial state: mark exactly one state with initial: true");
      }
    }
    if (!Reported("terminal")) {
      bool any_terminal = false;
      for (const auto& s : def_.states) any_terminal = any_terminal || s.terminal;
      if (!any_terminal) {
        Error(line, "no terminal state: mark the states where a request ends with terminal: true");
      }
    }
    for (const auto& s : def_.states) {
      if (s.initial && s.terminal) {
        Error(s.line,
              "state '" + s.name + "' is both initial and terminal, so a request could never move");
      }
    }
  }

  // The states a transition leaves from: its list, or every non-terminal state for "*".
  std::vector<const StateDef*> Sources(const TransitionDef& t) const {
    std::vector<const StateDef*> out;
    if (t.from_any) {
      for (const auto& s : def_.states) {
        if (!s.terminal && IsFirst(s)) out.push_back(&s);
      }
      return out;
    }
    std::unordered_set<const StateDef*> listed;
    for (const auto& name : t.from) {
      const StateDef* s = FindState(name);
      if (s != nullptr && listed.insert(s).second) out.push_back(s);
    }
    return out;
  }

  // False for a later state of a repeated name (reported as a duplicate, and otherwise ignored).
  bool IsFirst(const StateDef& s) const { return FindState(s.name) == &s; }

  template <typename T>
  static const T* Lookup(const std::unordered_map<std::string_view, const T*>& map,
                         std::string_view name) {
    auto it = map.find(name);
    return it == map.end() ? nullptr : it->second;
  }
  const StateDef* FindState(std::string_view name) const { return Lookup(states_, name); }
  const FieldDef* FindField(std::string_view name) const { return Lookup(fields_, name); }
  const DeadlineDef* FindDeadline(std::string_view name) const { return Lookup(deadlines_, name); }

  // Where a transition from `source` leads: its `to`, or `source` itself when `to` is omitted.
  const StateDef* Target(const TransitionDef& t, const StateDef* source) const {
    return t.to.empty() ? source : FindState(t.to);
  }

  void CheckTransition(size_t index) {
    const TransitionDef& t = def_.transitions[index];
    const std::string where = TransitionName(t, index);
    const std::string i = std::to_string(index);
    if (t.event.empty()) {
      if (!Reported(EntryKey("transition", i, "event"))) {
        Error(t.line, where + " has no event; name the event that fires it");
      }
    } else if (!IsIdentifier(t.event)) {
      Error(t.line, "event name '" + t.event + "' is invalid: " + kIdentifierRule);
    } else if (t.event == kCreateEvent) {
      Error(t.line, "event name 'create' is reserved: it records a request's creation");
    }
    CheckFrom(t, where, i);
    if (!t.to.empty() && StatesUsable() && FindState(t.to) == nullptr) {
      graph_complete_ = false;
      Error(t.line,
            where + " goes to unknown state '" + t.to + "'" + DidYouMean(t.to, state_names_));
    }
    if (t.roles.empty() && !Reported(EntryKey("transition", i, "roles"))) {
      Error(t.line, where + " has no roles; list who may fire it (system for the engine's timers)");
    }
    for (const auto& role : t.roles) {
      if (role.empty()) Error(t.line, where + " has an empty role name");
    }
    if (!Reported("fields")) {
      for (const auto& name : t.require) {
        if (FindField(name) == nullptr) {
          Error(t.line,
                where + " requires unknown field '" + name + "'" + DidYouMean(name, field_names_));
        }
      }
    }
    CheckDeadlineRefs(t, where);
    CheckClockFields(t, where);
    CheckWhen(t, where);
    if (StatesUsable()) {
      CheckLifecycle(t, where);
      CheckDuplicate(t, where, i);
    }
  }

  void CheckFrom(const TransitionDef& t, const std::string& where, const std::string& i) {
    if (t.from_any) return;
    if (t.from.empty()) {
      graph_complete_ = false;
      if (!Reported(EntryKey("transition", i, "from"))) {
        Error(t.line, where +
                          " has no 'from': name a state, a list of states, or \"*\" for "
                          "every non-terminal state");
      }
      return;
    }
    if (!StatesUsable()) return;
    std::set<std::string> seen;
    for (const auto& name : t.from) {
      if (!seen.insert(name).second) {
        Error(t.line, "'from' of " + where + " lists state '" + name + "' twice");
        continue;
      }
      const StateDef* s = FindState(name);
      if (s == nullptr) {
        graph_complete_ = false;
        Error(t.line,
              where + " comes from unknown state '" + name + "'" + DidYouMean(name, state_names_));
      } else if (s->terminal) {
        Error(t.line,
              where + " leaves terminal state '" + name + "'; nothing leaves a terminal state");
      }
    }
  }

  void CheckDeadlineRefs(const TransitionDef& t, const std::string& where) {
    if (Reported("deadlines")) return;
    const std::pair<const char*, const std::vector<std::string>*> lists[] = {
        {"starts", &t.start},
        {"stops", &t.stop},
        {"pauses", &t.pause},
        {"resumes", &t.resume},
        {"extends", &t.extend}};
    for (const auto& [verb, names] : lists) {
      for (const auto& name : *names) {
        const DeadlineDef* d = FindDeadline(name);
        if (d == nullptr) {
          Error(t.line, where + " " + verb + " unknown deadline '" + name + "'" +
                            DidYouMean(name, deadline_names_));
        } else if (!d->while_states.empty() && names != &t.extend) {
          Error(t.line, where + " " + verb + " deadline '" + name +
                            "', which runs by itself while the request is in its 'while' "
                            "states; a 'while' clock is never named in start, stop, pause or "
                            "resume");
        } else if (names == &t.extend && !d->extension &&
                   !Reported(EntryKey("deadline", name, "extension")) &&
                   !Reported(EntryKey("deadline", name, "*"))) {
          Error(t.line, where + " extends deadline '" + name +
                            "', which has no extension; give it one, e.g. extension: P30D");
        }
      }
    }
  }

  // CONTRACT §7: a transition that starts a `from_field` clock, or enters one of its `while`
  // states from a state not listed, must `require` the field the clock counts from.
  void CheckClockFields(const TransitionDef& t, const std::string& where) {
    if (Reported("deadlines") || Reported("fields")) return;
    auto requires_field = [&](const std::string& field) {
      return std::find(t.require.begin(), t.require.end(), field) != t.require.end();
    };
    for (const auto& name : t.start) {
      const DeadlineDef* d = FindDeadline(name);
      if (d == nullptr || d->from_field.empty() || requires_field(d->from_field)) continue;
      Error(t.line, where + " starts deadline '" + name + "', which counts from field '" +
                        d->from_field + "', but does not require it; add '" + d->from_field +
                        "' to its 'require'");
    }
    if (!StatesUsable()) return;
    for (const auto& d : def_.deadlines) {
      if (d.while_states.empty() || d.from_field.empty() || requires_field(d.from_field)) continue;
      auto listed = [&](const StateDef* s) {
        return s != nullptr && std::find(d.while_states.begin(), d.while_states.end(), s->name) !=
                                   d.while_states.end();
      };
      for (const StateDef* source : Sources(t)) {
        const StateDef* target = Target(t, source);
        if (listed(source) || !listed(target)) continue;
        Error(t.line, where + " enters state '" + target->name + "', where deadline '" + d.name +
                          "' runs counting from field '" + d.from_field +
                          "', but does not require it; add '" + d.from_field +
                          "' to its 'require'");
        break;
      }
    }
  }

  bool Unphased(const StateDef* s) const { return Reported(EntryKey("state", s->name, "phase")); }

  void CheckLifecycle(const TransitionDef& t, const std::string& where) {
    for (const StateDef* source : Sources(t)) {
      if (!t.from_any && source->terminal) continue;  // reported as leaving a terminal state
      const StateDef* target = Target(t, source);
      if (target == nullptr || Unphased(source) || Unphased(target)) continue;
      if (LifecycleAllows(source->phase, target->phase)) continue;
      Error(t.line, where + " from '" + source->name + "' (" + PhaseName(source->phase) + ") to '" +
                        target->name + "' (" + PhaseName(target->phase) +
                        ") breaks the lifecycle order: " + kLifecycleRule);
    }
  }

  // Transitions sharing a source state and an event form a group tried in file order
  // (CONTRACT §7): a later one can never fire when an earlier one has no `when` or the same.
  void CheckDuplicate(const TransitionDef& t, const std::string& where, const std::string& i) {
    if (t.event.empty()) return;
    const bool when_complete = !Reported(EntryKey("transition", i, "when"));
    const std::string when = CanonicalWhen(t.when);
    for (const StateDef* source : Sources(t)) {
      auto& group = groups_[std::make_pair(source->name, t.event)];
      for (const GroupMember& earlier : group) {
        if (!earlier.complete) continue;
        if (earlier.when.empty() || (when_complete && earlier.when == when)) {
          Error(t.line, where + " from state '" + source->name + "' duplicates the one on line " +
                            std::to_string(earlier.line) + ", which has " +
                            (earlier.when.empty() ? "no 'when'" : "the same 'when'") +
                            ", so it can never fire; transitions sharing a state and an event are "
                            "tried in file order and only the last may go without 'when'");
          break;
        }
      }
      group.push_back(GroupMember{t.line, when, when_complete});
    }
  }

  // The conditions in a canonical order, so that the same `when` written in another order
  // compares equal.
  static std::string CanonicalWhen(const std::vector<GuardCondition>& when) {
    std::vector<std::string> parts;
    for (const auto& c : when) parts.push_back(GuardText({c}));
    std::sort(parts.begin(), parts.end());
    std::string out;
    for (const auto& p : parts) out += p + "\n";
    return out;
  }

  // A `when`'s conditions name fields of the workflow, with values of their type.
  void CheckWhen(const TransitionDef& t, const std::string& where) {
    if (Reported("fields")) return;
    for (const GuardCondition& c : t.when) {
      const FieldDef* f = FindField(c.field);
      if (f == nullptr) {
        Error(c.line, "'when' of " + where + " tests unknown field '" + c.field + "'" +
                          DidYouMean(c.field, field_names_));
        continue;
      }
      if (Reported(EntryKey("field", f->name, "type")) || c.op == GuardOp::kSet) continue;
      const std::string op = GuardOpName(c.op);
      if (f->type == FieldType::kList) {
        Error(c.line, "'when' of " + where + " can only test whether list field '" + f->name +
                          "' is set, e.g. {set: true}");
        continue;
      }
      const bool ordered = c.op == GuardOp::kLt || c.op == GuardOp::kLe || c.op == GuardOp::kGt ||
                           c.op == GuardOp::kGe;
      if (ordered && f->type != FieldType::kInteger && f->type != FieldType::kDate &&
          f->type != FieldType::kDateTime) {
        Error(c.line, "'" + op + "' in 'when' of " + where + " compares field '" + f->name +
                          "' of type " + FieldTypeName(f->type) +
                          "; lt, le, gt and ge apply to integer, date and datetime fields");
        continue;
      }
      if (f->type == FieldType::kEnum && Reported(EntryKey("field", f->name, "values"))) continue;
      const nlohmann::json values =
          c.op == GuardOp::kIn ? c.value : nlohmann::json::array({c.value});
      for (const auto& v : values) {
        Status ok = CheckFieldValue(*f, v);
        if (!ok.ok()) {
          Error(c.line, "'when' of " + where + " compares with " +
                            (v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump()) +
                            ", but " + ok.message());
          break;
        }
      }
    }
  }

  // `counting: days` counts whole days: a duration with hours, minutes or seconds has no
  // meaning there. (The parser reports PT24H by its text; this catches definitions built in
  // code.)
  void CheckWholeDays(const DeadlineDef& d, const std::string& where) {
    if (d.counting != Counting::kDays) return;
    auto check = [&](const IsoDuration& v, const char* key) {
      if (Reported(EntryKey("deadline", d.name, key))) return;
      if (v.fixed.count() % (int64_t{86'400} * 1'000'000) == 0) return;
      Error(d.line, where + " counts whole days (counting: days), so its " + key + " '" +
                        v.ToString() +
                        "' cannot have a time part; give days, weeks, months or years, or "
                        "counting: exact");
    };
    check(d.duration, "duration");
    if (d.extension) check(*d.extension, "extension");
  }

  void CheckDeadline(const DeadlineDef& d) {
    const std::string where = "deadline '" + d.name + "'";
    if (Reported(EntryKey("deadline", d.name, "*"))) return;
    if (d.duration.IsZero() && d.from_field.empty() &&
        !Reported(EntryKey("deadline", d.name, "duration"))) {
      if (Reported(EntryKey("deadline", d.name, "zero"))) {
        Error(d.line, where +
                          " has a zero duration, which only a clock with 'from_field' may have "
                          "(the date in that field is then the deadline)");
      } else {
        Error(d.line, where + " has no duration; give an ISO 8601 duration such as P30D");
      }
    }
    CheckWholeDays(d, where);
    CheckClockSource(d, where);
    if (d.on_expiry.empty()) {
      if (!Reported(EntryKey("deadline", d.name, "on_expiry"))) {
        Error(d.line, where + " has no on_expiry; name the event its lapse fires");
      }
      return;
    }
    if (Reported("transitions") || notes_.transitions_incomplete) return;
    bool declared = false, system_may_fire = false;
    for (const auto& t : def_.transitions) {
      if (t.event != d.on_expiry) continue;
      declared = true;
      system_may_fire = system_may_fire ||
                        std::find(t.roles.begin(), t.roles.end(), kSystemRole) != t.roles.end();
    }
    if (!declared) {
      Error(d.line, where + " fires unknown event '" + d.on_expiry +
                        "' on expiry; no transition declares it" +
                        DidYouMean(d.on_expiry, event_names_));
    } else if (!system_may_fire) {
      Error(d.line, where + " fires '" + d.on_expiry +
                        "' as actor system, but no transition for that event lists the role "
                        "system");
    }
  }

  // CONTRACT §7: `from_field` names a date or datetime field; `while` names states; a clock
  // that runs in the initial state counts from a field every request is created with.
  void CheckClockSource(const DeadlineDef& d, const std::string& where) {
    const FieldDef* field = nullptr;
    if (!d.from_field.empty() && !Reported("fields")) {
      field = FindField(d.from_field);
      if (field == nullptr) {
        Error(d.line, where + " counts from unknown field '" + d.from_field + "'" +
                          DidYouMean(d.from_field, field_names_));
      } else if (field->type != FieldType::kDate && field->type != FieldType::kDateTime &&
                 !Reported(EntryKey("field", field->name, "type"))) {
        Error(d.line, where + " counts from field '" + field->name + "' of type " +
                          FieldTypeName(field->type) +
                          "; 'from_field' must name a date or datetime field");
        field = nullptr;
      }
    }
    if (d.while_states.empty() || !StatesUsable()) return;
    std::set<std::string> seen;
    for (const auto& name : d.while_states) {
      const StateDef* s = FindState(name);
      if (!seen.insert(name).second) {
        Error(d.line, "'while' of " + where + " lists state '" + name + "' twice");
      } else if (s == nullptr) {
        Error(d.line, where + " runs while in unknown state '" + name + "'" +
                          DidYouMean(name, state_names_));
      } else if (s->initial && field != nullptr && !field->required && !field->default_value) {
        Error(d.line, where + " runs from creation (its 'while' lists the initial state '" + name +
                          "') counting from field '" + field->name +
                          "', so that field must be given at creation; mark it required: true");
      }
    }
  }

  // CONTRACT §9: the `events:` map describes events that some transition fires.
  void CheckEvents() {
    if (Reported("transitions") || notes_.transitions_incomplete) return;
    for (const auto& e : def_.events) {
      if (std::find(event_names_.begin(), event_names_.end(), e.name) == event_names_.end()) {
        Error(e.line, "'events' names unknown event '" + e.name + "'; no transition fires it" +
                          DidYouMean(e.name, event_names_));
      }
    }
  }

  // CONTRACT §9: `value_labels` translate the values an enum field (or a list of enum) allows.
  void CheckValueLabels() {
    for (const auto& f : def_.fields) {
      if (f.value_labels.empty()) continue;
      const bool enum_values =
          f.type == FieldType::kEnum || (f.type == FieldType::kList && f.items == FieldType::kEnum);
      if (!enum_values) {
        Error(f.value_labels_line,
              "'value_labels' applies only to enum fields (or lists with "
              "items: enum); field '" +
                  f.name + "' has type " + FieldTypeName(f.type));
        continue;
      }
      for (const auto& [value, labels] : f.value_labels) {
        if (std::find(f.values.begin(), f.values.end(), value) == f.values.end()) {
          Error(f.value_labels_line, "'value_labels' of field '" + f.name + "' names value '" +
                                         value + "', which is not one of " + "its values" +
                                         DidYouMean(value, f.values));
        }
      }
    }
  }

  // CONTRACT §9 `stats:`: breakdowns of enum, string or boolean fields (each once), and a
  // counterpart field holding a state's name (string or enum).
  void CheckStats() {
    std::set<std::string> seen;
    for (size_t i = 0; i < def_.stats.fields.size(); ++i) {
      const std::string& name = def_.stats.fields[i];
      const int line = i < def_.stats.field_lines.size() ? def_.stats.field_lines[i] : 0;
      const FieldDef* f = def_.FindField(name);
      if (f == nullptr) {
        Error(line, "'stats' names unknown field '" + name + "'" + DidYouMean(name, field_names_));
      } else if (f->type != FieldType::kEnum && f->type != FieldType::kString &&
                 f->type != FieldType::kBoolean) {
        Error(line, "'stats' can break down enum, string and boolean fields; field '" + name +
                        "' has type " + FieldTypeName(f->type));
      } else if (!seen.insert(name).second) {
        Error(line, "'stats' names field '" + name + "' twice");
      }
    }
    const std::string& counterpart = def_.stats.counterpart;
    if (counterpart.empty()) return;
    const FieldDef* f = def_.FindField(counterpart);
    if (f == nullptr) {
      Error(def_.stats.counterpart_line, "the counterpart in 'stats' names unknown field '" +
                                             counterpart + "'" +
                                             DidYouMean(counterpart, field_names_));
    } else if (f->type != FieldType::kEnum && f->type != FieldType::kString) {
      Error(def_.stats.counterpart_line,
            "the counterpart in 'stats' must be a string or enum field; field '" + counterpart +
                "' has type " + FieldTypeName(f->type));
    }
  }

  // CONTRACT §8: each side's roles exist and act for it alone, every `assign` names a side, and
  // every side can get a party: from the creator (a side with roles) or from a transition.
  void CheckSides() {
    std::vector<std::string> side_names;
    for (const auto& side : def_.sides) side_names.push_back(side.name);
    CheckNames("side", side_names, [&](size_t i) { return def_.sides[i].line; });
    const bool transitions_known = !Reported("transitions") && !notes_.transitions_incomplete;
    std::set<std::string> known_roles, assigned;
    std::vector<std::string> role_list;
    for (size_t i = 0; i < def_.transitions.size(); ++i) {
      const TransitionDef& t = def_.transitions[i];
      for (const auto& role : t.roles) {
        if (known_roles.insert(role).second) role_list.push_back(role);
      }
      for (const auto& name : t.assign) {
        assigned.insert(name);
        if (def_.FindSide(name) == nullptr) {
          Error(t.line, TransitionName(t, i) + " assigns unknown side '" + name + "'" +
                            (side_names.empty() ? std::string("; declare it under 'sides'")
                                                : DidYouMean(name, side_names)));
        }
      }
    }
    std::map<std::string, const SideDef*> side_of_role;
    for (const auto& side : def_.sides) {
      const std::string where = "side '" + side.name + "'";
      if (Reported(EntryKey("side", side.name, "roles"))) continue;
      for (const auto& role : side.roles) {
        if (role == kSystemRole) {
          Error(side.line, where + " names role 'system': the engine's timers act for no side");
          continue;
        }
        if (transitions_known && known_roles.count(role) == 0) {
          Error(side.line, where + " names unknown role '" + role + "'; no transition lists it" +
                               DidYouMean(role, role_list));
        }
        auto [first, inserted] = side_of_role.emplace(role, &side);
        if (!inserted && first->second != &side) {
          Error(side.line, "role '" + role + "' acts for side '" + first->second->name +
                               "' (line " + std::to_string(first->second->line) + ") and side '" +
                               side.name + "'; a role acts for one side");
        }
      }
      if (side.roles.empty() && transitions_known && assigned.count(side.name) == 0) {
        Error(side.line, where +
                             " lists no roles and no transition assigns it: no request could "
                             "ever get a party for it");
      }
    }
  }

  // Reachability from the initial state, and from every state to a terminal one. Runs last:
  // it needs to know whether every transition's states exist.
  void CheckGraph() {
    if (!StatesUsable() || Reported("transitions") || notes_.transitions_incomplete ||
        !graph_complete_ || def_.states.empty()) {
      return;
    }
    std::map<const StateDef*, std::vector<const StateDef*>> next, previous;
    for (const auto& t : def_.transitions) {
      for (const StateDef* source : Sources(t)) {
        const StateDef* target = Target(t, source);
        if (target == nullptr) continue;
        next[source].push_back(target);
        previous[target].push_back(source);
      }
    }
    std::vector<const StateDef*> initial, terminal;
    for (const auto& s : def_.states) {
      if (s.initial) initial.push_back(&s);
      if (s.terminal) terminal.push_back(&s);
    }
    if (!Reported("initial") && !initial.empty()) {
      std::set<const StateDef*> reached = Closure(initial, next);
      for (const auto& s : def_.states) {
        if (reached.count(&s) == 0 && IsFirst(s)) {
          Error(s.line, "state '" + s.name + "' cannot be reached from the initial state '" +
                            initial[0]->name + "'");
        }
      }
    }
    if (!Reported("terminal") && !terminal.empty()) {
      std::set<const StateDef*> reaching = Closure(terminal, previous);
      for (const auto& s : def_.states) {
        if (reaching.count(&s) == 0 && IsFirst(s)) {
          Error(s.line, "state '" + s.name +
                            "' cannot reach a terminal state; a request there would be stuck");
        }
      }
    }
  }

  static std::set<const StateDef*> Closure(
      const std::vector<const StateDef*>& roots,
      const std::map<const StateDef*, std::vector<const StateDef*>>& edges) {
    std::set<const StateDef*> seen(roots.begin(), roots.end());
    std::deque<const StateDef*> queue(roots.begin(), roots.end());
    while (!queue.empty()) {
      const StateDef* s = queue.front();
      queue.pop_front();
      auto it = edges.find(s);
      if (it == edges.end()) continue;
      for (const StateDef* n : it->second) {
        if (seen.insert(n).second) queue.push_back(n);
      }
    }
    return seen;
  }

  const WorkflowDefinition& def_;
  const ParseNotes& notes_;
  std::vector<std::string> state_names_, field_names_, deadline_names_, event_names_;
  std::unordered_map<std::string_view, const StateDef*> states_;
  std::unordered_map<std::string_view, const FieldDef*> fields_;
  std::unordered_map<std::string_view, const DeadlineDef*> deadlines_;
  // A transition of a group: its line and canonical `when` ("" for none); `complete` is false
  // when part of its `when` was malformed (reported by the parser), so it is not compared.
  struct GroupMember {
    int line;
    std::string when;
    bool complete;
  };
  std::map<std::pair<std::string, std::string>, std::vector<GroupMember>> groups_;  // (from, event)
  // False once a transition names an unknown state: reachability would report only its
  // consequences.
  bool graph_complete_ = true;
  std::vector<DefinitionError> errors_;
};

}  // namespace

std::vector<DefinitionError> ValidateWithNotes(const WorkflowDefinition& def,
                                               const ParseNotes& notes) {
  return Validator(def, notes).Run();
}

}  // namespace rogatory
