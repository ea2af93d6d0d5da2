// The definition loader and validator: one invalid fixture per rule, each refused with one
// `file:line: message`, and the valid fixtures parsed into the expected definitions.
#include "rogatory/definition_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "rogatory/engine.h"
#include "rogatory/memory_store.h"
#include "suggest.h"

namespace rogatory {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kDefinitions = std::string(ROGATORY_FIXTURES_DIR) + "/definitions";
const std::string kValid = kDefinitions + "/valid";
const std::string kInvalid = kDefinitions + "/invalid";

// One rule: its fixture (invalid/<rule>.yaml), the line of the one error it must produce and
// a distinctive part of the message.
struct Rule {
  const char* fixture;
  int line;
  const char* message;
};

std::ostream& operator<<(std::ostream& out, const Rule& rule) { return out << rule.fixture; }

// clang-format off
const Rule kRules[] = {
    // YAML and document shape
    {"yaml_syntax",                 15, "YAML syntax error: illegal flow end"},
    {"yaml_leading_comma",           2, "YAML syntax error: no YAML document can be read from here"},
    {"not_a_mapping",                2, "the document must be a mapping with workflow, version, states and transitions, not a list"},
    {"empty_file",                   1, "the file is empty"},
    {"multiple_documents",          18, "a file holds one workflow definition; this is another YAML document"},
    {"missing_workflow",             2, "missing required key 'workflow'"},
    {"missing_version",              2, "missing required key 'version'"},
    {"missing_states",               2, "missing required key 'states'"},
    {"missing_transitions",          2, "missing required key 'transitions'"},
    {"bad_workflow_id",              2, "workflow id 'Sample-Request' is invalid: use lowercase letters, digits and '_', starting with a letter"},
    {"version_not_positive",         3, "version must be a positive integer, not 0"},
    {"version_not_integer",          3, "version must be a positive integer, not 'v1'"},
    // Unknown and repeated keys, at every level
    {"unknown_top_level_key",        4, "unknown key 'titel' (did you mean 'title'?)"},
    {"unknown_field_key",            6, "unknown key 'requird' in field 'issuing_state' (did you mean 'required'?)"},
    {"unknown_state_key",           10, "unknown key 'colour' in state 'done'; expected one of: phase, initial, terminal, description, labels"},
    {"unknown_deadline_key",        12, "unknown key 'descripton' in deadline 'answer' (did you mean 'description'?)"},
    {"unknown_transition_key",      15, "unknown key 'requires' in transition 'close' (did you mean 'require'?)"},
    {"duplicate_key",                9, "duplicate key 'phase' in state 'sent' (first on line 9)"},
    // Fields
    {"unknown_field_type",           6, "unknown type 'strng' for field 'issuing_state'; use one of string, integer, boolean, date, datetime, enum, list (did you mean 'string'?)"},
    {"missing_field_type",           6, "field 'issuing_state' has no type"},
    {"enum_without_values",          7, "field 'offence' is an enum but has no values"},
    {"values_on_non_enum",           7, "'values' applies only to enum fields (or lists with items: enum); field 'offence' has type string"},
    {"default_wrong_type",           7, "the default of field 'urgent' must be true or false"},
    {"default_invalid_date",         7, "the default of field 'received_on' must be a date (YYYY-MM-DD)"},
    {"default_invalid_datetime",     7, "the default of field 'surrender_at' must be a date and time with its offset (RFC 3339"},
    {"default_not_in_enum",          7, "the default of field 'offence' must be one of: fraud, corruption"},
    {"items_on_non_list",            7, "'items' applies only to list fields; field 'measure' has type string"},
    {"list_of_lists",                7, "the items of field 'measures' cannot be lists themselves"},
    // States
    {"unknown_phase",                9, "unknown phase 'transmision' for state 'sent'; use one of drafting, transmission, execution, closure (did you mean 'transmission'?)"},
    {"missing_phase",                9, "state 'sent' has no phase"},
    {"flag_not_boolean",             8, "'initial' of state 'draft' must be true or false, not 'yes'"},
    {"no_initial_state",             7, "no initial state: mark exactly one state with initial: true"},
    {"several_initial_states",       9, "state 'sent' is initial too, but only one state may be ('draft' on line 8 is)"},
    {"initial_state_terminal",       5, "state 'only' is both initial and terminal"},
    {"no_terminal_state",            7, "no terminal state"},
    {"unreachable_state",           11, "state 'lost' cannot be reached from the initial state 'draft'"},
    {"cannot_reach_terminal",       11, "state 'stuck' cannot reach a terminal state"},
    {"bad_state_name",              11, "state name 'Refused' is invalid"},
    {"duplicate_state",             11, "duplicate state 'sent' (first defined on line 9)"},
    // Transitions
    {"transition_unknown_from",     15, "transition 'close' comes from unknown state 'snet' (did you mean 'sent'?)"},
    {"transition_unknown_to",       17, "transition 'refuse' goes to unknown state 'refused'"},
    {"star_in_list",                17, "'*' must stand alone in 'from' of transition 'withdraw'"},
    {"missing_from",                17, "transition 'withdraw' has no 'from'"},
    {"missing_event",               17, "transition #4 has no event"},
    {"transition_not_a_mapping",    17, "transition #4 must be a mapping"},
    {"reserved_event",              17, "event name 'create' is reserved"},
    {"unknown_deadline",            14, "transition 'send' starts unknown deadline 'anwser' (did you mean 'answer'?)"},
    {"unknown_paused_deadline",     17, "transition 'postpone' pauses unknown deadline 'reply'"},
    {"extend_without_extension",    17, "transition 'extend' extends deadline 'answer', which has no extension"},
    {"require_unknown_field",       14, "transition 'send' requires unknown field 'issuing_sate' (did you mean 'issuing_state'?)"},
    {"missing_roles",               15, "transition 'close' has no roles"},
    {"empty_roles",                 15, "transition 'close' has no roles"},
    {"duplicate_from_event",        17, "transition 'close' from state 'sent' duplicates the one on line 15"},
    {"duplicate_from_event_star",   17, "transition 'close' from state 'sent' duplicates the one on line 15"},
    {"leaves_terminal_state",       17, "transition 'reopen' leaves terminal state 'done'"},
    {"lifecycle_backwards",         19, "transition 'redraft' from 'executing' (execution) to 'draft' (drafting) breaks the lifecycle order"},
    {"lifecycle_star",              19, "transition 'redraft' from 'executing' (execution) to 'draft' (drafting) breaks the lifecycle order"},
    {"lifecycle_skips_back_from_closure", 19, "transition 'finish' from 'archived_pending' (closure) to 'done' (closure) breaks the lifecycle order"},
    // Guards (CONTRACT §7)
    {"when_unknown_field",          15, "'when' of transition 'close' tests unknown field 'legal_base' (did you mean 'legal_basis'?)"},
    {"when_wrong_type",             16, "'when' of transition 'close' compares with 'many', but field 'count' must be an integer"},
    {"when_not_in_enum",            15, "'when' of transition 'close' compares with 'reciprocity', but field 'legal_basis' must be one of: ece_1957, bilateral"},
    {"when_order_on_enum",          15, "'lt' in 'when' of transition 'close' compares field 'legal_basis' of type enum; lt, le, gt and ge apply to integer, date and datetime fields"},
    {"when_shadowed_by_unguarded",  16, "transition 'close' from state 'sent' duplicates the one on line 15, which has no 'when', so it can never fire"},
    {"when_shadowed_by_same_when",  16, "transition 'close' from state 'sent' duplicates the one on line 15, which has the same 'when', so it can never fire"},
    {"when_not_a_mapping",          15, "'when' of transition 'close' must be a mapping of field names to conditions"},
    {"when_bad_operator",           15, "unknown key 'gte' in the condition on 'count' in 'when' of transition 'close' (did you mean 'ge'?)"},
    // Deadlines
    {"bad_duration",                12, "'duration' of deadline 'answer': invalid ISO 8601 duration '30 days'"},
    {"bad_extension",               12, "'extension' of deadline 'answer': invalid ISO 8601 duration 'P10'"},
    {"missing_duration",            12, "deadline 'answer' has no duration"},
    {"counting_days_time_part",     12, "deadline 'answer' counts whole days (counting: days), so its duration 'PT36H' cannot have a time part"},
    {"counting_days_extension_time_part", 12, "deadline 'answer' counts whole days (counting: days), so its extension 'P1DT12H' cannot have a time part"},
    {"counting_unknown",            12, "'counting' of deadline 'answer' must be exact or days, not 'day' (did you mean 'days'?)"},
    {"missing_on_expiry",           12, "deadline 'answer' has no on_expiry"},
    {"on_expiry_unknown_event",     12, "deadline 'answer' fires unknown event 'answer_overdu' on expiry; no transition declares it (did you mean 'answer_overdue'?)"},
    {"on_expiry_not_for_system",    12, "deadline 'answer' fires 'answer_overdue' as actor system, but no transition for that event lists the role system"},
    // Clocks from a date and bound to states (CONTRACT §7)
    {"clock_from_unknown_field",    10, "deadline 'surrender' counts from unknown field 'surender_on' (did you mean 'surrender_on'?)"},
    {"clock_from_non_date_field",   10, "deadline 'surrender' counts from field 'surrender_on' of type string; 'from_field' must name a date or datetime field"},
    {"clock_start_without_require", 13, "transition 'agree' starts deadline 'surrender', which counts from field 'surrender_on', but does not require it"},
    {"clock_enter_without_require", 13, "transition 'agree' enters state 'agreed', where deadline 'surrender' runs counting from field 'surrender_on', but does not require it"},
    {"clock_initial_field_not_required", 10, "deadline 'surrender' runs from creation (its 'while' lists the initial state 'agreed') counting from field 'surrender_on', so that field must be given at creation"},
    {"clock_while_unknown_state",   11, "deadline 'surrender' runs while in unknown state 'postponde'"},
    {"clock_while_in_stop",         12, "transition 'release' stops deadline 'surrender', which runs by itself while the request is in its 'while' states"},
    {"clock_zero_without_from_field", 8, "deadline 'surrender' has a zero duration, which only a clock with 'from_field' may have"},
    {"duplicate_deadline",          13, "duplicate deadline 'answer' (first defined on line 12)"},
    {"duplicate_field",              7, "duplicate field 'issuing_state' (first defined on line 6)"},
    // Sides (CONTRACT §8)
    {"side_role_in_two_sides",      13, "role 'prosecutor' acts for side 'issuing' (line 12) and side 'executing'; a role acts for one side"},
    {"assign_unknown_side",         15, "transition 'send' assigns unknown side 'executin' (did you mean 'executing'?)"},
    // CONTRACT §9: labels and stats
    {"labels_bad_language",         18, "'french' in 'labels' of the title is not a language tag; use a BCP 47 tag such as fr, ar or pt-BR"},
    {"labels_not_text",             18, "the 'fr' label of event 'send' must be text, not a list"},
    {"events_unknown_event",        18, "'events' names unknown event 'clos'; no transition fires it (did you mean 'close'?)"},
    {"value_labels_unknown_value",  10, "'value_labels' of field 'ground' names value 'immunty', which is not one of its values (did you mean 'immunity'?)"},
    {"value_labels_on_non_enum",     6, "'value_labels' applies only to enum fields (or lists with items: enum); field 'issuing_state' has type string"},
    {"stats_unknown_field",         16, "'stats' names unknown field 'grond' (did you mean 'ground'?)"},
    {"stats_wrong_type",            16, "'stats' can break down enum, string and boolean fields; field 'received_on' has type date"},
    {"stats_counterpart_wrong_type", 16, "the counterpart in 'stats' must be a string or enum field; field 'received_on' has type date"},
    {"stats_bad_entry",             16, "each entry of 'stats' must be a field name or {counterpart: FIELD}, not a mapping"},
    {"side_never_set",              13, "side 'observer' lists no roles and no transition assigns it: no request could ever get a party for it"},
    {"side_unknown_role",           13, "side 'executing' names unknown role 'executing_authorty'; no transition lists it (did you mean 'executing_authority'?)"},
};
// clang-format on

class InvalidDefinitionTest : public ::testing::TestWithParam<Rule> {};

TEST_P(InvalidDefinitionTest, RefusedWithOneErrorAtItsLine) {
  const Rule& rule = GetParam();
  const std::string file = kInvalid + "/" + rule.fixture + ".yaml";
  LoadReport report = LoadDefinitions({file});
  EXPECT_TRUE(report.definitions.empty());
  ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
  const DefinitionError& error = report.errors[0];
  EXPECT_EQ(error.file, file);
  EXPECT_EQ(error.line, rule.line) << error.ToString();
  EXPECT_THAT(error.message, HasSubstr(rule.message));
  EXPECT_THAT(error.ToString(), StartsWith(file + ":" + std::to_string(rule.line) + ": "));
}

INSTANTIATE_TEST_SUITE_P(EveryRule, InvalidDefinitionTest, ::testing::ValuesIn(kRules),
                         [](const ::testing::TestParamInfo<Rule>& info) {
                           return std::string(info.param.fixture);
                         });

TEST(InvalidDefinitionTest, DuplicateWorkflowVersionAcrossFilesIsReportedAtTheLaterFile) {
  const std::string folder = kInvalid + "/duplicate_version";
  LoadReport report = LoadDefinitions({folder});
  ASSERT_EQ(report.definitions.size(), 1u);
  EXPECT_EQ(report.definitions[0].source_name, folder + "/a_first.yaml");
  ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
  EXPECT_EQ(report.errors[0].ToString(),
            folder + "/b_second.yaml:2: workflow 'sample' version 1 is already defined in " +
                folder + "/a_first.yaml; give this one a new version number");
}

TEST(InvalidDefinitionTest, EveryProblemIsReportedInLineOrder) {
  const std::string file = kInvalid + "/several_problems.yaml";
  LoadReport report = LoadDefinitions({file});
  EXPECT_TRUE(report.definitions.empty());
  std::vector<int> lines;
  for (const auto& e : report.errors) lines.push_back(e.line);
  EXPECT_THAT(lines, ElementsAre(4, 9, 14)) << report.ErrorText();
  EXPECT_THAT(report.ErrorText(), HasSubstr(file + ":9: unknown phase 'transmision'"));
}

TEST(InvalidDefinitionTest, EveryFixtureHasARuleAndEveryRuleAFixture) {
  LoadReport report = LoadDefinitions({kInvalid});
  std::set<std::string> files;
  for (const auto& e : report.errors) files.insert(e.file);
  for (const Rule& rule : kRules) {
    EXPECT_EQ(files.count(kInvalid + "/" + rule.fixture + ".yaml"), 1u) << rule.fixture;
  }
  // The rules above, several_problems.yaml and duplicate_version/b_second.yaml.
  EXPECT_EQ(files.size(), std::size(kRules) + 2);
}

TEST(InvalidDefinitionTest, MissingPathIsReportedWithoutLine) {
  LoadReport report = LoadDefinitions({kDefinitions + "/no_such_folder"});
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].ToString(), kDefinitions + "/no_such_folder: no such file or folder");
}

// Found by workflow_fuzz: a title (or any name) that is not valid UTF-8 passed validation, and
// then every encoding of the definition as JSON threw (GET /v1/workflows answered 500).
TEST(InvalidDefinitionTest, InvalidUtf8IsRefusedAtItsLine) {
  const std::string valid = R"(workflow: utf
version: 1
title: Demande d'entraide pénale
states:
  a: {phase: drafting, initial: true}
  b: {phase: closure, terminal: true}
transitions:
  - {event: finish, from: a, to: b, roles: [clerk]}
)";
  ASSERT_TRUE(ParseDefinition(valid, "utf.yaml").ok())
      << ParseDefinition(valid, "utf.yaml").ErrorText();
  for (const std::string& bad :
       {std::string("\xD1"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
        std::string("\xF4\x90\x80\x80"), std::string("p\xC3")}) {
    std::string text = valid;
    text.replace(text.find("pénale"), 7, bad);
    LoadReport report = ParseDefinition(text, "utf.yaml");
    ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
    EXPECT_EQ(report.errors[0].line, 3);
    EXPECT_THAT(report.errors[0].message, ::testing::HasSubstr("invalid UTF-8"));
    EXPECT_TRUE(report.definitions.empty());
  }
  // A NUL in a quoted title made yaml-cpp produce bytes that are not UTF-8; control characters
  // (YAML forbids them) are refused the same way.
  for (const std::string& bad :
       {std::string("\"a\0b\"", 5), std::string("a\x0f"), std::string("\x7f")}) {
    std::string text = valid;
    text.replace(text.find("pénale"), 7, bad);
    LoadReport report = ParseDefinition(text, "utf.yaml");
    ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
    EXPECT_EQ(report.errors[0].line, 3);
    EXPECT_THAT(report.errors[0].message, ::testing::HasSubstr("control character"));
  }
}

TEST(InvalidDefinitionTest, BlockStyleTransitionIsReportedAtItsEntryLine) {
  const char* yaml = R"(workflow: block
version: 1
states:
  a: {phase: drafting, initial: true}
  b: {phase: closure, terminal: true}
transitions:
  - event: finish
    from: a
    to: b
    roles: [clerk]
  - event: other
    from: a
    to: c
    roles: [clerk]
)";
  LoadReport report = ParseDefinition(yaml, "block.yaml");
  ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
  EXPECT_EQ(report.errors[0].ToString(),
            "block.yaml:11: transition 'other' goes to unknown state 'c'");
}

TEST(InvalidDefinitionTest, StringDefaultThatLooksLikeANumberMustBeQuoted) {
  const char* yaml = R"(workflow: quoting
version: 1
fields:
  file_number: {type: string, default: 42}
  quoted:      {type: string, default: "42"}
states:
  a: {phase: drafting, initial: true}
  b: {phase: closure, terminal: true}
transitions:
  - {event: finish, from: a, to: b, roles: [clerk]}
)";
  LoadReport report = ParseDefinition(yaml, "q.yaml");
  ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText();
  EXPECT_EQ(report.errors[0].ToString(),
            "q.yaml:4: the default of field 'file_number' must be a string");
}

TEST(ValidDefinitionTest, EveryValidFixtureLoadsInFileOrder) {
  LoadReport report = LoadDefinitions({kValid});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  std::vector<std::string> names;
  for (const auto& d : report.definitions) names.push_back(d.id + "@" + std::to_string(d.version));
  EXPECT_THAT(names, ElementsAre("eio@1", "eio@2", "labelled_request@1", "mla_request@3"));
}

TEST(ValidDefinitionTest, ParsesTheContractExample) {
  LoadReport report = LoadDefinitions({kValid + "/eio.yaml"});
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const WorkflowDefinition& def = report.definitions.at(0);
  EXPECT_EQ(def.id, "eio");
  EXPECT_EQ(def.version, 1);
  EXPECT_EQ(def.title, "European Investigation Order");
  EXPECT_EQ(def.legal_basis, "Directive 2014/41/EU");
  EXPECT_EQ(def.source_name, kValid + "/eio.yaml");
  EXPECT_THAT(def.source, StartsWith("# The European Investigation Order"));
  EXPECT_EQ(def.line, 2);
  ASSERT_EQ(def.fields.size(), 4u);
  EXPECT_TRUE(def.fields[0].required);
  EXPECT_EQ(def.fields[2].name, "urgent");
  EXPECT_EQ(def.fields[2].type, FieldType::kBoolean);
  EXPECT_EQ(def.fields[2].default_value, nlohmann::json(false));
  EXPECT_EQ(def.fields[2].line, 9);
  ASSERT_EQ(def.states.size(), 6u);
  EXPECT_EQ(def.InitialState()->name, "draft");
  EXPECT_EQ(def.FindState("transmitted")->phase, Phase::kTransmission);
  EXPECT_TRUE(def.FindState("refused")->terminal);
  EXPECT_EQ(def.FindState("refused")->line, 17);
  const DeadlineDef* recognition = def.FindDeadline("recognition");
  ASSERT_NE(recognition, nullptr);
  EXPECT_EQ(recognition->duration.ToString(), "P30D");
  EXPECT_EQ(recognition->on_expiry, "recognition_overdue");
  ASSERT_TRUE(recognition->extension.has_value());
  ASSERT_EQ(def.transitions.size(), 6u);
  const TransitionDef& refuse = def.transitions[4];
  EXPECT_EQ(refuse.event, "refuse");
  EXPECT_THAT(refuse.from, ElementsAre("transmitted", "recognised"));
  EXPECT_EQ(refuse.to, "refused");
  EXPECT_THAT(refuse.require, ElementsAre("refusal_ground"));
  EXPECT_EQ(refuse.line, 25);
  EXPECT_THAT(def.transitions[1].start, ElementsAre("recognition"));
}

TEST(ValidDefinitionTest, ParsesEveryKeyOfTheFormat) {
  LoadReport report = LoadDefinitions({kValid + "/mla_full.yaml"});
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const WorkflowDefinition& def = report.definitions.at(0);
  EXPECT_EQ(def.description,
            "A classic request for mutual legal assistance between central authorities.\n");
  const FieldDef* offence = def.FindField("offence");
  EXPECT_EQ(offence->type, FieldType::kEnum);
  EXPECT_THAT(offence->values, ElementsAre("fraud", "trafficking", "corruption"));
  EXPECT_EQ(def.FindField("requesting_state")->description, "ISO 3166 code");
  EXPECT_EQ(*def.FindField("received_on")->default_value, nlohmann::json("2026-01-31"));
  EXPECT_EQ(*def.FindField("copies")->default_value, nlohmann::json(2));
  EXPECT_EQ(*def.FindField("file_number")->default_value, nlohmann::json("0042"));
  const FieldDef* measures = def.FindField("measures");
  EXPECT_EQ(measures->items, FieldType::kEnum);
  EXPECT_EQ(*measures->default_value, nlohmann::json::array({"hearing"}));
  EXPECT_EQ(*def.FindField("attachments")->default_value, nlohmann::json::array());
  EXPECT_EQ(def.FindState("draft")->description, "Being written by the requesting authority.");
  EXPECT_EQ(def.FindDeadline("execution")->duration.months, 3);
  EXPECT_EQ(def.FindDeadline("execution")->line, 29);
  const TransitionDef& send = def.transitions[0];
  EXPECT_EQ(send.line, 35);
  EXPECT_THAT(send.require, ElementsAre("requesting_state", "offence"));
  const TransitionDef& extend = def.transitions[5];
  EXPECT_TRUE(extend.to.empty());  // stays
  EXPECT_THAT(extend.extend, ElementsAre("execution"));
  EXPECT_THAT(def.transitions[3].pause, ElementsAre("execution"));
  EXPECT_THAT(def.transitions[4].resume, ElementsAre("execution"));
  const TransitionDef& withdraw = def.transitions.back();
  EXPECT_TRUE(withdraw.from_any);
  EXPECT_TRUE(withdraw.from.empty());
}

TEST(ValidDefinitionTest, ParsesLabelsEventsAndStatsAndServesThem) {
  LoadReport report = LoadDefinitions({kValid + "/labelled.yaml"});
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const WorkflowDefinition& def = report.definitions.at(0);
  EXPECT_EQ(def.labels.at("fr"), "Demande d'entraide");
  EXPECT_EQ(def.labels.at("ar"), "طلب مساعدة");
  EXPECT_EQ(def.FindState("draft")->labels.at("ar"), "مسودة");
  EXPECT_EQ(def.FindState("sent")->labels.at("pt-BR"), "Enviado");
  EXPECT_TRUE(def.FindState("executed")->labels.empty());
  const FieldDef* ground = def.FindField("refusal_ground");
  EXPECT_EQ(ground->labels.at("fr"), "Motif de refus");
  EXPECT_EQ(ground->value_labels.at("immunity").at("fr"), "Immunité");
  ASSERT_NE(def.FindEvent("send"), nullptr);
  EXPECT_EQ(def.FindEvent("send")->labels.at("fr"), "Transmettre");
  EXPECT_EQ(def.FindEvent("send")->description, "The central authority transmits.");
  EXPECT_EQ(def.FindEvent("execute"), nullptr);
  EXPECT_THAT(def.stats.fields, ElementsAre("refusal_ground", "urgent"));
  EXPECT_EQ(def.stats.counterpart, "requested_state");

  const nlohmann::json j = DefinitionToJson(def);
  EXPECT_EQ(j["labels"]["fr"], "Demande d'entraide");
  EXPECT_EQ(j["states"]["draft"]["labels"]["fr"], "Brouillon");
  EXPECT_FALSE(j["states"]["executed"].contains("labels"));
  EXPECT_EQ(j["fields"]["requested_state"]["labels"]["fr"], "État requis");
  EXPECT_EQ(j["fields"]["refusal_ground"]["value_labels"]["ne_bis_in_idem"]["ar"],
            "عدم جواز المحاكمة مرتين");
  EXPECT_EQ(j["events"]["refuse"]["labels"]["fr"], "Refuser");
  EXPECT_EQ(j["stats"]["fields"], nlohmann::json::array({"refusal_ground", "urgent"}));
  EXPECT_EQ(j["stats"]["counterpart"], "requested_state");
}

TEST(ValidDefinitionTest, WithoutLabelsOrStatsTheJsonHasNoSuchKeys) {
  LoadReport report = LoadDefinitions({kValid + "/eio.yaml"});
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const nlohmann::json j = DefinitionToJson(report.definitions.at(0));
  EXPECT_FALSE(j.contains("labels"));
  EXPECT_FALSE(j.contains("events"));
  EXPECT_FALSE(j.contains("stats"));
}

// Regression: scenario files in workflows/tests/ were read as definitions, so `rogatory
// validate workflows/` and `rogatory serve` refused them (unknown key 'steps').
TEST(ValidDefinitionTest, SubfoldersNamedTestsHoldScenariosAndAreSkipped) {
  LoadReport report = LoadDefinitions({kValid});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  for (const auto& d : report.definitions) {
    EXPECT_THAT(d.source_name, Not(HasSubstr("/valid/tests/"))) << d.source_name;
  }
  // Named directly, the folder is read: it is the caller's choice.
  EXPECT_FALSE(LoadDefinitions({kValid + "/tests"}).ok());
}

TEST(ValidDefinitionTest, FileNamedTwiceIsLoadedOnce) {
  LoadReport report = LoadDefinitions({kValid + "/eio.yaml", kValid});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  EXPECT_EQ(report.definitions.size(), 4u);
}

TEST(ValidateDefinitionTest, ChecksADefinitionBuiltInCode) {
  WorkflowDefinition def;
  def.id = "built";
  def.version = 1;
  def.source_name = "built-in";
  def.states = {StateDef{"open", Phase::kExecution, true, false, "", 3},
                StateDef{"done", Phase::kClosure, false, true, "", 4}};
  TransitionDef back;
  back.event = "reopen";
  back.from = {"open"};
  back.to = "open";
  back.roles = {"clerk"};
  back.line = 6;
  TransitionDef finish = back;
  finish.event = "finish";
  finish.to = "done";
  finish.line = 7;
  def.transitions = {back, finish};
  EXPECT_TRUE(ValidateDefinition(def).empty());

  def.states[0].phase = Phase::kClosure;  // nothing leaves closure
  std::vector<DefinitionError> errors = ValidateDefinition(def);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].ToString(), StartsWith("built-in:6: transition 'reopen' from 'open' "
                                               "(closure) to 'open' (closure) breaks"));
  EXPECT_THAT(errors[1].ToString(), StartsWith("built-in:7: transition 'finish'"));
}

TEST(DefinitionErrorTest, FormatsAsFileLineMessage) {
  EXPECT_EQ((DefinitionError{"w/eio.yaml", 12, "boom"}).ToString(), "w/eio.yaml:12: boom");
  EXPECT_EQ((DefinitionError{"w/", 0, "no such file or folder"}).ToString(),
            "w/: no such file or folder");
  LoadReport report;
  report.errors = {{"a.yaml", 1, "x"}, {"a.yaml", 2, "y"}};
  EXPECT_EQ(report.ErrorText(), "a.yaml:1: x\na.yaml:2: y\n");
}

TEST(DidYouMeanTest, SuggestsOnlyCloseWords) {
  EXPECT_EQ(DidYouMean("phsae", {"phase", "initial"}), " (did you mean 'phase'?)");
  EXPECT_EQ(DidYouMean("colour", {"phase", "initial", "terminal"}), "");
  EXPECT_EQ(DidYouMean("to", {"on"}), "");
  EXPECT_EQ(DidYouMean("c", {"a"}), "");
}

}  // namespace
}  // namespace rogatory

namespace rogatory {
namespace {

// A chain of `n` states s0 -> s1 -> ... (the last terminal), one event per step.
std::string Chain(int n, const std::string& last_target = "") {
  std::string yaml = "workflow: chain\nversion: 1\ntitle: Chain\nlegal_basis: test\nstates:\n";
  yaml += "  s0: {phase: drafting, initial: true}\n";
  for (int i = 1; i < n - 1; ++i) yaml += "  s" + std::to_string(i) + ": {phase: drafting}\n";
  yaml += "  s" + std::to_string(n - 1) + ": {phase: closure, terminal: true}\n";
  yaml += "transitions:\n";
  for (int i = 0; i < n - 1; ++i) {
    const std::string to =
        i == n - 2 && !last_target.empty() ? last_target : "s" + std::to_string(i + 1);
    yaml += "  - {event: e" + std::to_string(i) + ", from: s" + std::to_string(i) + ", to: " + to +
            ", roles: [clerk]}\n";
  }
  return yaml;
}

TEST(LargeDefinitionTest, TwentyThousandStateChainValidatesAndLoads) {
  // Validation looks names up by hash (it used to scan the state list for each reference,
  // quadratic in the states); the engine keeps a sparse transition table for a workflow this
  // large (the dense one would be 20k x 20k entries). Timings: engine_bench BM_ValidateChain.
  constexpr int kStates = 20000;
  LoadReport report = ParseDefinition(Chain(kStates), "chain.yaml");
  ASSERT_TRUE(report.ok()) << report.ErrorText().substr(0, 500);
  ASSERT_EQ(report.definitions[0].states.size(), static_cast<size_t>(kStates));
  Engine engine(EngineOptions{NewMemoryStore(), std::make_shared<ManualClock>(TimePoint())});
  ASSERT_TRUE(engine.LoadDefinition(report.definitions[0]).ok());
  CreateCall create;
  create.workflow = "chain";
  const Actor clerk{"cleo", {"clerk"}, ""};
  Result<Request> r = engine.Create(create, clerk);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EventCall call;
  call.event = "e0";
  EXPECT_EQ(engine.Fire(r->id, call, clerk)->state, "s1");
  call.event = "e5";  // exists, but not from s1
  EXPECT_EQ(engine.Fire(r->id, call, clerk).status().code(), StatusCode::kFailedPrecondition);
  call.event = "e1";
  EXPECT_EQ(engine.Fire(r->id, call, clerk)->state, "s2");
  EXPECT_EQ(engine.AvailableEvents(r->id, clerk)->at(0).event, "e2");
}

TEST(LargeDefinitionTest, ErrorsInALargeChainAreStillFoundAtTheirLines) {
  constexpr int kStates = 5000;
  LoadReport report = ParseDefinition(Chain(kStates, "s4998x"), "chain.yaml");
  // The last transition names a state that does not exist (reachability is then not
  // reported: it would only repeat the consequence).
  ASSERT_EQ(report.errors.size(), 1u) << report.ErrorText().substr(0, 500);
  EXPECT_EQ(report.errors[0].line, 5 + 2 * kStates);
  EXPECT_THAT(report.errors[0].message, ::testing::HasSubstr("unknown state 's4998x'"));
  EXPECT_THAT(report.errors[0].message, ::testing::HasSubstr("did you mean 's4998'"));
}

TEST(DefinitionLimitsTest, AFileOverTheCapIsRefusedUnreadNamingIt) {
  const auto dir = std::filesystem::temp_directory_path() / "rogatory_limits_test";
  std::filesystem::create_directories(dir);
  const std::string big = (dir / "big.yaml").string();
  const std::string text = Chain(200);
  std::ofstream(big) << text;
  DefinitionLimits limits;
  limits.max_file_bytes = text.size() - 1;
  LoadReport report = LoadDefinitions({dir.string()}, limits);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].ToString(),
            big + ": is " + std::to_string(text.size()) + " bytes, more than the " +
                std::to_string(text.size() - 1) +
                " a definition may have (limits.max_definition_bytes)");
  EXPECT_TRUE(report.definitions.empty());
  limits.max_file_bytes = text.size();
  EXPECT_TRUE(LoadDefinitions({dir.string()}, limits).ok());
  // The default is 1 MiB.
  EXPECT_EQ(DefinitionLimits().max_file_bytes, 1048576u);
  std::ofstream(big) << std::string(1048577, '#');
  EXPECT_THAT(LoadDefinitions({big}).ErrorText(), ::testing::HasSubstr("is 1048577 bytes"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rogatory
