// Checks request data against a workflow's field definitions: known names, value types,
// required fields and defaults.
#ifndef ROGATORY_ENGINE_SRC_FIELD_CHECK_H_
#define ROGATORY_ENGINE_SRC_FIELD_CHECK_H_

#include <nlohmann/json.hpp>

#include "rogatory/status.h"
#include "rogatory/workflow.h"

namespace rogatory {

// Checks one value against its field's type. InvalidArgument names the field and the type.
Status CheckFieldValue(const FieldDef& field, const nlohmann::json& value);

// Checks that `data` is an object whose every key is a field of `def` with a value of the
// right type (null clears a field and is allowed for any field that is not required).
Status CheckData(const WorkflowDefinition& def, const nlohmann::json& data);

// Rewrites every datetime value of `data` (checked by CheckData) in UTC, e.g.
// "2026-03-02T10:00:00+01:00" becomes "2026-03-02T09:00:00.000Z", so that stored data, history and
// guards see one form.
void NormaliseData(const WorkflowDefinition& def, nlohmann::json* data);

// For creation: fills defaults into `data` and checks that every required field is set.
Status ApplyDefaultsAndRequire(const WorkflowDefinition& def, nlohmann::json* data);

// True when `data` has `field` set to a non-null value (an empty string or list is unset).
bool IsFieldSet(const nlohmann::json& data, const std::string& field);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_FIELD_CHECK_H_
