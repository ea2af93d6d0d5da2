// Mermaid and Graphviz renderings of a workflow definition.
#include "rogatory/graph.h"

#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

namespace rogatory {
namespace {

// One arrow of the diagram: a transition from one concrete source state.
struct Arrow {
  const StateDef* from;
  const StateDef* to;
  std::string event;  // the label: the event, with its `when` in brackets
};

// Every arrow in definition order: a transition's sources in their listed order ("*": every
// non-terminal state in state order); an omitted `to` loops back to the source.
std::vector<Arrow> Arrows(const WorkflowDefinition& def) {
  std::vector<Arrow> out;
  for (const auto& t : def.transitions) {
    std::vector<const StateDef*> sources;
    if (t.from_any) {
      for (const auto& s : def.states) {
        if (!s.terminal) sources.push_back(&s);
      }
    } else {
      for (const auto& name : t.from) {
        if (const StateDef* s = def.FindState(name)) sources.push_back(s);
      }
    }
    for (const StateDef* source : sources) {
      const StateDef* target = t.to.empty() ? source : def.FindState(t.to);
      if (target == nullptr) continue;
      // A guarded edge says when it is taken: "arrest [legal_basis = ece_1957]".
      out.push_back(Arrow{source, target,
                          t.when.empty() ? t.event : t.event + " [" + GuardText(t.when) + "]"});
    }
  }
  return out;
}

std::string Heading(const WorkflowDefinition& def) {
  std::string out = def.id + "@" + std::to_string(def.version);
  if (!def.title.empty()) out += ": " + def.title;
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// Fill and stroke colours per phase, shared by both renderings.
const char* PhaseFill(Phase phase) {
  switch (phase) {
    case Phase::kDrafting:
      return "#e8f0fe";
    case Phase::kTransmission:
      return "#fff4e0";
    case Phase::kExecution:
      return "#e6f4ea";
    case Phase::kClosure:
      return "#eeeeee";
  }
  return "#ffffff";
}

const char* PhaseStroke(Phase phase) {
  switch (phase) {
    case Phase::kDrafting:
      return "#4a6fa5";
    case Phase::kTransmission:
      return "#b7791f";
    case Phase::kExecution:
      return "#2f855a";
    case Phase::kClosure:
      return "#555555";
  }
  return "#000000";
}

// Words with a meaning of their own in Mermaid's state diagrams: such states get an alias.
bool IsMermaidKeyword(std::string_view name) {
  static const std::set<std::string_view> kKeywords = {
      "state", "note",  "end", "as",       "direction", "class", "classdef", "click",  "style",
      "left",  "right", "of",  "accdescr", "acctitle",  "hide",  "scale",    "default"};
  return kKeywords.count(name) > 0;
}

std::string MermaidId(const StateDef& s) {
  return IsMermaidKeyword(s.name) ? s.name + "_state" : s.name;
}

std::string DotQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

}  // namespace

std::string RenderMermaid(const WorkflowDefinition& def) {
  std::ostringstream out;
  out << "stateDiagram-v2\n";
  out << "    %% " << Heading(def) << "\n";
  for (int p = 0; p < kPhaseCount; ++p) {
    const Phase phase = static_cast<Phase>(p);
    out << "    classDef " << PhaseName(phase) << " fill:" << PhaseFill(phase)
        << ",stroke:" << PhaseStroke(phase) << "\n";
  }
  for (const auto& s : def.states) {
    if (MermaidId(s) != s.name) out << "    state \"" << s.name << "\" as " << MermaidId(s) << "\n";
    out << "    " << MermaidId(s) << " : " << PhaseName(s.phase) << "\n";
  }
  if (const StateDef* initial = def.InitialState()) {
    out << "    [*] --> " << MermaidId(*initial) << "\n";
  }
  for (const Arrow& a : Arrows(def)) {
    out << "    " << MermaidId(*a.from) << " --> " << MermaidId(*a.to) << " : " << a.event << "\n";
  }
  for (const auto& s : def.states) {
    if (s.terminal) out << "    " << MermaidId(s) << " --> [*]\n";
  }
  for (int p = 0; p < kPhaseCount; ++p) {
    const Phase phase = static_cast<Phase>(p);
    std::string members;
    for (const auto& s : def.states) {
      if (s.phase == phase) members += (members.empty() ? "" : ",") + MermaidId(s);
    }
    if (!members.empty()) out << "    class " << members << " " << PhaseName(phase) << "\n";
  }
  return out.str();
}

std::string RenderDot(const WorkflowDefinition& def) {
  std::ostringstream out;
  out << "digraph " << DotQuote(def.id + "@" + std::to_string(def.version)) << " {\n";
  out << "  label=" << DotQuote(Heading(def)) << ";\n";
  out << "  labelloc=t;\n";
  out << "  rankdir=LR;\n";
  out << "  node [shape=box, style=\"rounded,filled\", fillcolor=white];\n";
  out << "  \"__start\" [shape=point, width=0.15, label=\"\"];\n";
  out << "  \"__end\" [shape=doublecircle, width=0.1, style=filled, fillcolor=black, "
         "label=\"\"];\n";
  for (int p = 0; p < kPhaseCount; ++p) {
    const Phase phase = static_cast<Phase>(p);
    std::ostringstream members;
    for (const auto& s : def.states) {
      if (s.phase != phase) continue;
      members << "    " << DotQuote(s.name);
      if (s.terminal) members << " [peripheries=2]";
      members << ";\n";
    }
    if (members.str().empty()) continue;
    out << "  subgraph " << DotQuote(std::string("cluster_") + PhaseName(phase)) << " {\n";
    out << "    label=" << DotQuote(PhaseName(phase)) << ";\n";
    out << "    style=\"rounded,filled\";\n";
    out << "    fillcolor=" << DotQuote(PhaseFill(phase)) << ";\n";
    out << "    color=" << DotQuote(PhaseStroke(phase)) << ";\n";
    out << members.str();
    out << "  }\n";
  }
  if (const StateDef* initial = def.InitialState()) {
    out << "  \"__start\" -> " << DotQuote(initial->name) << ";\n";
  }
  for (const Arrow& a : Arrows(def)) {
    out << "  " << DotQuote(a.from->name) << " -> " << DotQuote(a.to->name)
        << " [label=" << DotQuote(a.event) << "];\n";
  }
  for (const auto& s : def.states) {
    if (s.terminal) out << "  " << DotQuote(s.name) << " -> \"__end\";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace rogatory
