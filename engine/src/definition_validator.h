// Checks what a parsed workflow definition means: names, references between states, events,
// fields and deadlines, reachability, and the lifecycle order of every transition.
#ifndef ROGATORY_ENGINE_SRC_DEFINITION_VALIDATOR_H_
#define ROGATORY_ENGINE_SRC_DEFINITION_VALIDATOR_H_

#include <vector>

#include "definition_parser.h"
#include "rogatory/definition_loader.h"
#include "rogatory/workflow.h"

namespace rogatory {

// Every problem in `def`, in no particular order, each at the line of the offending entry.
// Skips checks whose subject `notes` says the parser already reported (ValidateDefinition
// passes empty notes).
std::vector<DefinitionError> ValidateWithNotes(const WorkflowDefinition& def,
                                               const ParseNotes& notes);

// True for a name of the form [a-z][a-z0-9_]*.
bool IsIdentifier(std::string_view name);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DEFINITION_VALIDATOR_H_
