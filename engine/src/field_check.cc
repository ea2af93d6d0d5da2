#include "field_check.h"

#include <algorithm>

namespace rogatory {
namespace {

Status TypeError(const FieldDef& f, const std::string& expected) {
  return InvalidArgumentError("field '" + f.name + "' must be " + expected);
}

bool InValues(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

std::string ValuesText(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// Checks a scalar against `type` (enum values from `values`).
Status CheckScalar(const FieldDef& f, FieldType type, const nlohmann::json& v) {
  switch (type) {
    case FieldType::kString:
      if (!v.is_string()) return TypeError(f, "a string");
      return OkStatus();
    case FieldType::kInteger:
      if (!v.is_number_integer()) return TypeError(f, "an integer");
      return OkStatus();
    case FieldType::kBoolean:
      if (!v.is_boolean()) return TypeError(f, "true or false");
      return OkStatus();
    case FieldType::kDate:
      if (!v.is_string() || !IsValidDate(v.get_ref<const std::string&>())) {
        return TypeError(f, "a date (YYYY-MM-DD)");
      }
      return OkStatus();
    case FieldType::kDateTime:
      if (!v.is_string() || !ParseRfc3339(v.get_ref<const std::string&>()).ok()) {
        return TypeError(
            f, "a date and time with its offset (RFC 3339, e.g. 2026-03-02T09:00:00+01:00)");
      }
      return OkStatus();
    case FieldType::kEnum:
      if (!v.is_string() || !InValues(f.values, v.get_ref<const std::string&>())) {
        return TypeError(f, "one of: " + ValuesText(f.values));
      }
      return OkStatus();
    case FieldType::kList:
      return TypeError(f, "a scalar");
  }
  return InternalError("unknown field type");
}

}  // namespace

Status CheckFieldValue(const FieldDef& f, const nlohmann::json& value) {
  if (f.type != FieldType::kList) return CheckScalar(f, f.type, value);
  if (!value.is_array()) return TypeError(f, "a list");
  for (const auto& item : value) {
    if (f.items) {
      Status s = CheckScalar(f, *f.items, item);
      if (!s.ok()) {
        return InvalidArgumentError("field '" + f.name + "': each item " +
                                    s.message().substr(s.message().find("must")));
      }
    } else if (!(item.is_string() || item.is_number_integer() || item.is_boolean())) {
      return TypeError(f, "a list of strings, integers or booleans");
    }
  }
  return OkStatus();
}

Status CheckData(const WorkflowDefinition& def, const nlohmann::json& data) {
  if (!data.is_object()) return InvalidArgumentError("data must be a JSON object");
  for (auto it = data.begin(); it != data.end(); ++it) {
    const FieldDef* f = def.FindField(it.key());
    if (f == nullptr) {
      return InvalidArgumentError("unknown field '" + it.key() + "' for workflow " + def.id);
    }
    if (it.value().is_null()) {
      if (f->required) return InvalidArgumentError("field '" + f->name + "' is required");
      continue;
    }
    ROGATORY_RETURN_IF_ERROR(CheckFieldValue(*f, it.value()));
  }
  return OkStatus();
}

Status ApplyDefaultsAndRequire(const WorkflowDefinition& def, nlohmann::json* data) {
  for (const auto& f : def.fields) {
    if (IsFieldSet(*data, f.name)) continue;
    if (f.default_value) {
      (*data)[f.name] = *f.default_value;
    } else if (f.required) {
      return InvalidArgumentError("missing required field '" + f.name + "'");
    }
  }
  // A null given for an optional field means "not set": keep the data free of nulls.
  for (auto it = data->begin(); it != data->end();) {
    it = it.value().is_null() ? data->erase(it) : std::next(it);
  }
  return OkStatus();
}

namespace {

// A checked datetime value in its one stored form: UTC, "Z".
void NormaliseDateTime(nlohmann::json* v) {
  if (!v->is_string()) return;
  Result<TimePoint> t = ParseRfc3339(v->get_ref<const std::string&>());
  if (t.ok()) *v = FormatRfc3339(*t);
}

}  // namespace

void NormaliseData(const WorkflowDefinition& def, nlohmann::json* data) {
  if (!data->is_object()) return;
  for (const auto& f : def.fields) {
    const bool scalar = f.type == FieldType::kDateTime;
    const bool items = f.type == FieldType::kList && f.items == FieldType::kDateTime;
    if (!scalar && !items) continue;
    auto it = data->find(f.name);
    if (it == data->end()) continue;
    if (scalar) {
      NormaliseDateTime(&*it);
    } else if (it->is_array()) {
      for (auto& item : *it) NormaliseDateTime(&item);
    }
  }
}

bool IsFieldSet(const nlohmann::json& data, const std::string& field) {
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return false;
  if (it->is_string() && it->get_ref<const std::string&>().empty()) return false;
  if (it->is_array() && it->empty()) return false;
  return true;
}

}  // namespace rogatory
