// Renders a workflow definition as a state diagram: Mermaid `stateDiagram-v2` (for Markdown
// documentation and GitHub) or Graphviz dot. `rogatory graph` prints these.
#ifndef ROGATORY_GRAPH_H_
#define ROGATORY_GRAPH_H_

#include <string>

#include "rogatory/workflow.h"

namespace rogatory {

// The definition as a Mermaid state diagram: `[*] --> initial`, one `from --> to : event`
// arrow per transition and source state ("*" expanded to every non-terminal state, an omitted
// `to` drawn as a loop), `terminal --> [*]`, each state labelled and coloured by its phase.
// Deterministic: states and arrows come in definition order, so the output can be committed
// and compared. REQUIRES: `def` passed validation (state names are identifiers).
std::string RenderMermaid(const WorkflowDefinition& def);

// The same diagram in Graphviz dot, states grouped in one cluster per phase and terminal
// states drawn with a double border. Deterministic, as RenderMermaid.
std::string RenderDot(const WorkflowDefinition& def);

}  // namespace rogatory

#endif  // ROGATORY_GRAPH_H_
