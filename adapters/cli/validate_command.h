// `rogatory validate PATH...`: loads workflow definitions from files and folders and reports
// every problem as `file:line: message` (CONTRACT §3).
#ifndef ROGATORY_ADAPTERS_CLI_VALIDATE_COMMAND_H_
#define ROGATORY_ADAPTERS_CLI_VALIDATE_COMMAND_H_

#include <string>

#include "rogatory/workflow.h"

namespace rogatory::cli {

inline constexpr char kValidateUsage[] =
    "usage: rogatory validate PATH...\n"
    "\n"
    "Checks workflow definitions: each PATH is a YAML file or a folder searched recursively\n"
    "for *.yaml and *.yml files (sub-folders named tests/ hold scenario files for\n"
    "'rogatory test' and are skipped). Prints one 'ok' line per valid definition on stdout\n"
    "and every problem as 'file:line: message' on stderr.\n"
    "\n"
    "exit status: 0 all valid, 1 a problem was found, 2 usage error\n";

// The line printed for a valid definition: "ok eio@1 (workflows/eio.yaml)".
std::string ValidSummary(const WorkflowDefinition& def);

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_VALIDATE_COMMAND_H_
