// Reads workflow definitions from YAML and validates them against CONTRACT §1, reporting every
// problem as `file:line: message`. A definition with any problem is refused as a whole.
#ifndef ROGATORY_DEFINITION_LOADER_H_
#define ROGATORY_DEFINITION_LOADER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/status.h"
#include "rogatory/workflow.h"

namespace rogatory {

// One problem found in a definition.
struct DefinitionError {
  std::string file;
  int line = 0;
  std::string message;
  // "file:line: message".
  std::string ToString() const;
};

// The outcome of loading one or more definitions: what parsed and validated, and every problem.
struct LoadReport {
  std::vector<WorkflowDefinition> definitions;  // only the valid ones
  std::vector<DefinitionError> errors;          // sorted by file, then line
  // Advice on the valid definitions (DefinitionWarnings); they load all the same.
  std::vector<DefinitionError> warnings;
  bool ok() const { return errors.empty(); }
  // All errors, one `file:line: message` per line.
  std::string ErrorText() const;
};

// Parses and validates one definition from YAML `text`; `file_name` appears in messages.
// Returns the definition, or every problem found (the definition is then not returned).
LoadReport ParseDefinition(std::string_view text, std::string_view file_name);

// Validates an already-parsed definition (structure, references, reachability, lifecycle
// order). Returns every problem; empty when valid.
std::vector<DefinitionError> ValidateDefinition(const WorkflowDefinition& def);

// Advice on a valid definition, never a reason to refuse it: today, a deadline that can lapse in
// a state from which no transition accepts its `on_expiry` event (the lapse is then recorded in
// the history without a state change). Each names the deadline's line. Empty when none applies.
std::vector<DefinitionError> DefinitionWarnings(const WorkflowDefinition& def);

// What LoadDefinitions agrees to read.
struct DefinitionLimits {
  // A larger file is refused unread, with an error naming it (the deployment config's
  // limits.max_definition_bytes; a workflow is a few KiB).
  size_t max_file_bytes = size_t{1} << 20;
};

// Loads every `*.yaml` / `*.yml` file under each path (files, or folders searched
// recursively, skipping hidden entries and any subfolder named `tests`, which holds the
// scenario files of `rogatory test`), validating each and refusing duplicate (workflow, version)
// pairs across files (the later one is reported). Unreadable or too large files are errors too.
LoadReport LoadDefinitions(const std::vector<std::string>& paths,
                           const DefinitionLimits& limits = {});

}  // namespace rogatory

#endif  // ROGATORY_DEFINITION_LOADER_H_
