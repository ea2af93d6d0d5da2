// Renders a workflow definition as a state diagram: Mermaid `stateDiagram-v2` (for Markdown
// documentation and GitHub) or Graphviz dot. `rogatory graph` prints these; SVG is drawn from
// the dot text by the graphviz adapter (rogatory/graph_svg.h).
#ifndef ROGATORY_GRAPH_H_
#define ROGATORY_GRAPH_H_

#include <string>

#include "rogatory/workflow.h"

namespace rogatory {

// How both renderings keep a real workflow readable:
// - a transition from "*" is drawn once, from a dashed "any non-terminal state" box, not from
//   every state;
// - a move that stays in its state (no `to`, or `to` the source) is listed inside the state's
//   box, marked with U+21BB, instead of drawn as a loop (a "*" one inside the "*" box);
// - an arrow is labelled with its event, its `when` in brackets ("arrest [count >= 3]") and the
//   deadlines it starts with their durations ("starts decision_60d (P60D)");
// - states are coloured by phase, terminal states marked, the initial state entered from a dot.
// Both are deterministic (states and arrows in definition order), so the output can be
// committed and compared. REQUIRES: `def` passed validation (state names are identifiers).

// The definition as a Mermaid `stateDiagram-v2`: `[*] --> initial`, `from --> to : label`,
// `terminal --> [*]`, each state described by its phase (and "terminal") and classed by phase.
std::string RenderMermaid(const WorkflowDefinition& def);

// The same diagram in Graphviz dot: one cluster per phase in phase order, terminal states with
// a double border. Node names are the state names (plus "__start", "__end" and "__any"), so a
// rendering's SVG <title> elements name them. Valid input for Graphviz's `dot` layout.
std::string RenderDot(const WorkflowDefinition& def);

}  // namespace rogatory

#endif  // ROGATORY_GRAPH_H_
