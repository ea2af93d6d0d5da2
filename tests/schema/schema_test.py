#!/usr/bin/env python3
"""Checks docs/schema/*.schema.json (JSON Schema draft 2020-12) against the files they describe.

Every shipped workflow, docs example, valid definition fixture and shipped scenario must pass.
Every invalid fixture is either a schema matter (an unknown key, a wrong type or value) and
must fail, or a matter only `rogatory validate` / `rogatory test` can judge (references between
names, reachability, duplicates) and is listed below with why. A new invalid fixture must be
put in one list or the other.

YAML is read as YAML 1.2 core schema, as yaml-cpp and editors' YAML language servers read it:
`yes` is text, and dates stay text (PyYAML's YAML 1.1 would make them booleans and dates).
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

# Invalid definition fixtures the schema cannot refuse, and why.
NOT_SCHEMA_MATTERS = {
    "cannot_reach_terminal": "graph",
    "default_invalid_date": "calendar (30 February)",
    "default_not_in_enum": "a value checked against the field's own values",
    "duplicate_deadline": "YAML duplicate key (JSON has none)",
    "duplicate_field": "YAML duplicate key",
    "duplicate_from_event": "two entries together",
    "duplicate_from_event_star": "two entries together",
    "duplicate_key": "YAML duplicate key",
    "duplicate_state": "YAML duplicate key",
    "extend_without_extension": "reference to a deadline",
    "leaves_terminal_state": "reference to a state",
    "lifecycle_backwards": "phases of two states",
    "lifecycle_skips_back_from_closure": "phases of two states",
    "lifecycle_star": "phases of every state",
    "multiple_documents": "two YAML documents",
    "no_initial_state": "across states",
    "no_terminal_state": "across states",
    "on_expiry_not_for_system": "reference to transitions",
    "on_expiry_unknown_event": "reference to an event",
    "require_unknown_field": "reference to a field",
    "several_initial_states": "across states",
    "transition_unknown_from": "reference to a state",
    "transition_unknown_to": "reference to a state",
    "unknown_deadline": "reference to a deadline",
    "unknown_paused_deadline": "reference to a deadline",
    "unreachable_state": "graph",
    "when_not_in_enum": "a value checked against the field's own values",
    "when_order_on_enum": "an operator checked against the field's type",
    "when_shadowed_by_same_when": "two entries together",
    "when_shadowed_by_unguarded": "two entries together",
    "when_unknown_field": "reference to a field",
    "when_wrong_type": "a value checked against the field's type",
    "default_invalid_datetime": "a value checked against the field's type",
    "clock_from_unknown_field": "reference to a field",
    "clock_from_non_date_field": "reference to a field's type",
    "clock_start_without_require": "reference to a deadline's field",
    "clock_enter_without_require": "transitions against a deadline's states",
    "clock_initial_field_not_required": "a deadline's states against a field",
    "clock_while_unknown_state": "reference to a state",
    "clock_while_in_stop": "reference to a deadline",
    "yaml_leading_comma": "YAML syntax",
    "yaml_syntax": "YAML syntax",
    "side_role_in_two_sides": "two sides together",
    "assign_unknown_side": "reference to a side",
    "side_never_set": "references from transitions",
    "side_unknown_role": "reference to transitions' roles",
    "events_unknown_event": "reference to transitions' events",
    "value_labels_unknown_value": "a value checked against the field's own values",
    "stats_unknown_field": "reference to a field",
    "stats_wrong_type": "reference to a field's type",
    "stats_counterpart_wrong_type": "reference to a field's type",
    "duplicate_version/a_first": "valid alone",
    "duplicate_version/b_second": "a clash between two files",
}


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema booleans and no timestamps."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers
          if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def validator(name):
    schema = json.loads((ROOT / "docs" / "schema" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(v, path):
    try:
        document = yaml.load(path.read_text(), Loader=Yaml12Loader)
    except yaml.YAMLError as e:
        return ["YAML: %s" % str(e).splitlines()[0]]
    return ["%s: %s" % ("/".join(map(str, e.absolute_path)), e.message) for e in v.iter_errors(document)]


def main():
    failures = []
    checked = 0
    workflow = validator("workflow.schema.json")
    scenario = validator("scenario.schema.json")

    valid = (sorted((ROOT / "workflows").glob("*.yaml")) +
             sorted((ROOT / "docs" / "workflows" / "examples").glob("*.yaml")) +
             sorted((ROOT / "tests" / "fixtures" / "definitions" / "valid").glob("*.yaml")) +
             sorted((ROOT / "tests" / "fixtures" / "guards").glob("*.yaml")) +
             sorted((ROOT / "tests" / "fixtures" / "clocks").glob("*.yaml")))
    for path in valid:
        checked += 1
        for p in problems(workflow, path):
            failures.append("%s: should pass workflow.schema.json: %s" % (path.relative_to(ROOT), p))
    for path in (sorted((ROOT / "workflows" / "tests").rglob("*.yaml")) +
                 sorted((ROOT / "tests" / "fixtures" / "clocks" / "tests").rglob("*.yaml"))):
        checked += 1
        for p in problems(scenario, path):
            failures.append("%s: should pass scenario.schema.json: %s" % (path.relative_to(ROOT), p))

    invalid_dir = ROOT / "tests" / "fixtures" / "definitions" / "invalid"
    for path in sorted(invalid_dir.rglob("*.yaml")):
        checked += 1
        name = str(path.relative_to(invalid_dir).with_suffix(""))
        refused = bool(problems(workflow, path))
        if name in NOT_SCHEMA_MATTERS:
            if refused and "YAML" not in NOT_SCHEMA_MATTERS[name]:
                failures.append("%s: listed as not a schema matter, but the schema refuses it; "
                                "remove it from NOT_SCHEMA_MATTERS" % name)
        elif not refused:
            failures.append("%s: a schema matter, but workflow.schema.json accepts it" % name)
    for path in sorted((ROOT / "tests" / "fixtures" / "scenarios" / "invalid").glob("*.yaml")):
        checked += 1
        if not problems(scenario, path):
            failures.append("%s: scenario.schema.json accepts it" % path.relative_to(ROOT))

    for f in failures:
        print("FAIL " + f)
    print("%d files checked, %d problems" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
