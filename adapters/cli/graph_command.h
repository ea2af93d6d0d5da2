// `rogatory graph WORKFLOW[@VERSION]|FILE [--format mermaid|dot] [--config FILE | --workflows
// DIR]`: prints a workflow as a state diagram (CONTRACT §3); a workflow id is looked up in
// ./workflows/, or in the folder the config or --workflows names.
#ifndef ROGATORY_ADAPTERS_CLI_GRAPH_COMMAND_H_
#define ROGATORY_ADAPTERS_CLI_GRAPH_COMMAND_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/workflow.h"

namespace rogatory::cli {

inline constexpr char kGraphUsage[] =
    "usage: rogatory graph WORKFLOW[@VERSION]|FILE [--format mermaid|dot|svg]\n"
    "                      [--config FILE | --workflows DIR]\n"
    "\n"
    "Prints a workflow as a state diagram: Mermaid stateDiagram-v2 (the default), Graphviz\n"
    "dot, or SVG drawn from the dot by Graphviz's library. Transitions from \"*\" are drawn once\n"
    "from an \"any non-terminal state\" box; moves that stay in a state are listed inside it.\n"
    "WORKFLOW is looked up in ./workflows/ (its newest version unless @VERSION is given),\n"
    "or in DIR, or in the workflows: folder of the config FILE (as `rogatory serve --config\n"
    "FILE` loads it, ROGATORY_* overrides included); FILE is a definition file.\n"
    "\n"
    "exit status: 0 printed, 1 not found, not valid or not drawable, 2 usage error\n";

// The folder a workflow id is looked up in.
inline constexpr char kWorkflowsFolder[] = "workflows";

// "eio" or "eio@2" as an id and an optional version; nullopt if the version is not a positive
// integer or the id is empty.
struct WorkflowSpec {
  std::string id;
  std::optional<int> version;
};
std::optional<WorkflowSpec> ParseWorkflowSpec(std::string_view text);

// The definition `spec` names among `defs`: its version, or the newest. nullptr if none.
const WorkflowDefinition* PickDefinition(const std::vector<WorkflowDefinition>& defs,
                                         const WorkflowSpec& spec);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_GRAPH_COMMAND_H_
