// Turns the YAML text of one workflow definition into a WorkflowDefinition, reporting problems
// of form (syntax, unknown or repeated keys, values of the wrong kind) with their lines. What
// the definition means is checked afterwards by the validator (definition_validator.h).
#ifndef ROGATORY_ENGINE_SRC_DEFINITION_PARSER_H_
#define ROGATORY_ENGINE_SRC_DEFINITION_PARSER_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/workflow.h"

namespace rogatory {

// What the parser learnt that a WorkflowDefinition does not keep: where the top-level keys
// are, and which values it already reported as malformed, so that the validator neither
// misplaces its messages nor reports the consequences of one mistake twice.
struct ParseNotes {
  int workflow_line = 0;  // the line of each top-level key; 0 when absent
  int version_line = 0;
  int states_line = 0;
  int transitions_line = 0;
  // Keys of values already reported: "workflow", "version", "fields", "states", "deadlines",
  // "transitions", "state:NAME/phase", "field:NAME/type", "transition:INDEX/from", ...
  std::set<std::string> reported;
  // A transition entry was dropped or its from/to is unknown: the reachability checks would
  // only report consequences.
  bool transitions_incomplete = false;

  bool Reported(const std::string& key) const { return reported.count(key) > 0; }
};

// The key under which a per-entry value is noted, e.g. EntryKey("state", "draft", "phase").
std::string EntryKey(std::string_view kind, std::string_view name, std::string_view key);

// The parser's result: the definition when the text is at least a YAML mapping (possibly
// with holes, described by `notes`), and every problem of form found.
struct ParsedDefinition {
  std::optional<WorkflowDefinition> definition;
  ParseNotes notes;
  std::vector<DefinitionError> errors;
};

// Parses `text` (one YAML document); `file_name` goes into errors and `source_name`.
// Never throws.
ParsedDefinition ParseDefinitionYaml(std::string_view text, std::string_view file_name);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DEFINITION_PARSER_H_
