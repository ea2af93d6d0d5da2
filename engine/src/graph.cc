// Mermaid and Graphviz renderings of a workflow definition.
#include "rogatory/graph.h"

#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "rogatory/markup.h"

namespace rogatory {
namespace {

// How one move is labelled: the event with its `when` in brackets, and the clocks it starts.
struct MoveLabel {
  std::string event;   // "arrest [legal_basis = ece_1957]"
  std::string starts;  // "starts decision_60d (P60D)", or empty
};

// One arrow of the diagram between two different states; `from` is null for a "*" transition,
// drawn once from the "any non-terminal state" box rather than from every state.
struct Arrow {
  const StateDef* from;
  const StateDef* to;
  MoveLabel label;
};

// What the diagram shows, worked out once for both renderings. Moves that stay put (no `to`,
// or `to` the source itself) are listed inside their state instead of drawn as loops.
struct Layout {
  std::vector<Arrow> arrows;                                // definition order
  std::map<const StateDef*, std::vector<MoveLabel>> stays;  // per state, definition order
  std::vector<MoveLabel> any_stays;                         // "*" transitions without `to`
  bool has_any = false;  // some transition is from "*": draw the box
};

MoveLabel LabelOf(const TransitionDef& t, const WorkflowDefinition& def) {
  MoveLabel label;
  // A guarded move says when it is taken: "arrest [legal_basis = ece_1957]".
  label.event = t.when.empty() ? t.event : t.event + " [" + GuardText(t.when) + "]";
  for (const std::string& name : t.start) {
    const DeadlineDef* d = def.FindDeadline(name);
    label.starts += (label.starts.empty() ? "starts " : ", ") + name;
    if (d != nullptr) label.starts += " (" + d->duration.ToString() + ")";
  }
  return label;
}

Layout Plan(const WorkflowDefinition& def) {
  Layout out;
  for (const auto& t : def.transitions) {
    const MoveLabel label = LabelOf(t, def);
    if (t.from_any) {
      out.has_any = true;
      const StateDef* target = t.to.empty() ? nullptr : def.FindState(t.to);
      if (target == nullptr) {
        out.any_stays.push_back(label);
      } else {
        out.arrows.push_back(Arrow{nullptr, target, label});
      }
      continue;
    }
    for (const auto& name : t.from) {
      const StateDef* source = def.FindState(name);
      if (source == nullptr) continue;
      const StateDef* target = t.to.empty() ? source : def.FindState(t.to);
      if (target == nullptr) continue;
      if (target == source) {
        out.stays[source].push_back(label);
      } else {
        out.arrows.push_back(Arrow{source, target, label});
      }
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

constexpr char kAnyText[] = "any non-terminal state";
// Marks a move that keeps the request in its state.
constexpr char kStayMark[] = "\xE2\x86\xBB ";  // U+21BB CLOCKWISE OPEN CIRCLE ARROW

std::string StayLine(const MoveLabel& m) {
  return kStayMark + m.event + (m.starts.empty() ? "" : " (" + m.starts + ")");
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

// State ids are [a-z][a-z0-9_]*, so ids starting with "__" cannot clash with a state.
constexpr char kMermaidAny[] = "__any";
constexpr char kDotAny[] = "__any";

std::string DotQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

// Text for a Graphviz HTML-like label: one line.
std::string HtmlEscape(std::string_view text) { return EscapeMarkup(text, true); }

// A box label: the title in bold (italic for the "*" box), then one left-aligned line per move
// that stays in the state.
std::string DotHtmlLabel(const std::string& title, bool italic,
                         const std::vector<MoveLabel>& stays) {
  std::string out =
      italic ? "<<i>" + HtmlEscape(title) + "</i>" : "<<b>" + HtmlEscape(title) + "</b>";
  if (!stays.empty()) out += "<br/>";
  for (const MoveLabel& m : stays) {
    out += "<font point-size=\"10\">" + HtmlEscape(StayLine(m)) + "</font><br align=\"left\"/>";
  }
  return out + ">";
}

// An edge label: the event, then the clocks it starts on a line of their own.
std::string DotEdgeLabel(const MoveLabel& m) {
  std::string out = DotQuote(m.event);
  if (m.starts.empty()) return out;
  out.pop_back();
  return out + "\\n" + DotQuote(m.starts).substr(1);
}

}  // namespace

std::string RenderMermaid(const WorkflowDefinition& def) {
  const Layout layout = Plan(def);
  std::ostringstream out;
  out << "stateDiagram-v2\n";
  out << "    %% " << Heading(def) << "\n";
  for (int p = 0; p < kPhaseCount; ++p) {
    const Phase phase = static_cast<Phase>(p);
    out << "    classDef " << PhaseName(phase) << " fill:" << PhaseFill(phase)
        << ",stroke:" << PhaseStroke(phase) << "\n";
  }
  if (layout.has_any) out << "    classDef any fill:#ffffff,stroke:#888888,stroke-dasharray:4\n";
  for (const auto& s : def.states) {
    if (MermaidId(s) != s.name) out << "    state \"" << s.name << "\" as " << MermaidId(s) << "\n";
    out << "    " << MermaidId(s) << " : " << PhaseName(s.phase) << (s.terminal ? ", terminal" : "")
        << "\n";
    auto stays = layout.stays.find(&s);
    if (stays == layout.stays.end()) continue;
    for (const MoveLabel& m : stays->second) {
      out << "    " << MermaidId(s) << " : " << StayLine(m) << "\n";
    }
  }
  if (layout.has_any) {
    out << "    state \"" << kAnyText << "\" as " << kMermaidAny << "\n";
    for (const MoveLabel& m : layout.any_stays) {
      out << "    " << kMermaidAny << " : " << StayLine(m) << "\n";
    }
  }
  if (const StateDef* initial = def.InitialState()) {
    out << "    [*] --> " << MermaidId(*initial) << "\n";
  }
  for (const Arrow& a : layout.arrows) {
    out << "    " << (a.from == nullptr ? kMermaidAny : MermaidId(*a.from)) << " --> "
        << MermaidId(*a.to) << " : " << a.label.event
        << (a.label.starts.empty() ? "" : " / " + a.label.starts) << "\n";
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
  if (layout.has_any) out << "    class " << kMermaidAny << " any\n";
  return out.str();
}

std::string RenderDot(const WorkflowDefinition& def) {
  const Layout layout = Plan(def);
  std::ostringstream out;
  out << "digraph " << DotQuote(def.id + "@" + std::to_string(def.version)) << " {\n";
  out << "  label=" << DotQuote(Heading(def)) << ";\n";
  out << "  labelloc=t;\n";
  out << "  rankdir=TB;\n";
  // Graphviz 2.42's default ranking frees some layouts twice (gvFreeLayout; AddressSanitizer
  // caught it on eio); newrank ranks clusters in one pass and avoids that code.
  out << "  newrank=true;\n";
  out << "  node [shape=box, style=\"rounded,filled\", fillcolor=white];\n";
  out << "  \"__start\" [shape=point, width=0.15, label=\"\"];\n";
  out << "  \"__end\" [shape=doublecircle, width=0.1, style=filled, fillcolor=black, "
         "label=\"\"];\n";
  if (layout.has_any) {
    out << "  " << DotQuote(kDotAny) << " [style=\"rounded,dashed\", color=\"#888888\", label="
        << DotHtmlLabel(kAnyText, true, layout.any_stays) << "];\n";
  }
  for (int p = 0; p < kPhaseCount; ++p) {
    const Phase phase = static_cast<Phase>(p);
    std::ostringstream members;
    for (const auto& s : def.states) {
      if (s.phase != phase) continue;
      members << "    " << DotQuote(s.name);
      std::vector<std::string> attributes;
      if (s.terminal) attributes.push_back("peripheries=2");
      auto stays = layout.stays.find(&s);
      if (stays != layout.stays.end()) {
        attributes.push_back("label=" + DotHtmlLabel(s.name, false, stays->second));
      }
      for (size_t i = 0; i < attributes.size(); ++i) {
        members << (i == 0 ? " [" : ", ") << attributes[i]
                << (i + 1 == attributes.size() ? "]" : "");
      }
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
  for (const Arrow& a : layout.arrows) {
    out << "  " << DotQuote(a.from == nullptr ? kDotAny : a.from->name) << " -> "
        << DotQuote(a.to->name) << " [label=" << DotEdgeLabel(a.label)
        << (a.from == nullptr ? ", style=dashed" : "") << "];\n";
  }
  for (const auto& s : def.states) {
    if (s.terminal) out << "  " << DotQuote(s.name) << " -> \"__end\";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace rogatory
