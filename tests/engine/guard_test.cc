// `when` guards (CONTRACT §7): each operator on each field type, compiled once and evaluated on
// the request's data merged with the event's; groups tried in file order; graph labels and the
// definition's JSON. The guarded scenarios on every store are in tests/store/store_guard_test.cc.
#include <string>

#include "compiled_workflow.h"
#include "rogatory/graph.h"
#include "test_engine.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

// A workflow whose one event `probe` is guarded by `when` (YAML flow text), with an unguarded
// fallback `probe` that stays, so that the test can tell which alternative was chosen.
std::unique_ptr<const CompiledWorkflow> Probe(const std::string& when) {
  const std::string yaml = R"(workflow: probe
version: 1
fields:
  n:     {type: integer}
  day:   {type: date}
  kind:  {type: enum, values: [a, b, c]}
  flag:  {type: boolean}
  text:  {type: string}
  items: {type: list, items: string}
states:
  open: {phase: drafting, initial: true}
  hit:  {phase: closure, terminal: true}
  miss: {phase: closure, terminal: true}
transitions:
  - {event: probe, from: open, to: hit, roles: [r], when: )" +
                           when + R"(}
  - {event: probe, from: open, to: miss, roles: [r]}
)";
  auto compiled = CompileWorkflow(MustParse(yaml));
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.ok() ? std::move(*compiled) : nullptr;
}

// Whether the guarded alternative is chosen for `data` (request) merged with `event`.
bool Hits(const CompiledWorkflow& cw, const nlohmann::json& data,
          const nlohmann::json& event = nlohmann::json::object()) {
  const CompiledTransition* t = cw.Choose(cw.Group(0, 0), event, data);
  return t != nullptr && t->to == cw.state_ids.at("hit");
}

struct OperatorCase {
  const char* when;
  nlohmann::json data;
  bool holds;
};

TEST(GuardOperatorTest, EveryOperatorOnEveryType) {
  using J = nlohmann::json;
  const OperatorCase cases[] = {
      {"{n: 3}", J{{"n", 3}}, true},
      {"{n: 3}", J{{"n", 4}}, false},
      {"{n: 3}", J::object(), false},
      {"{n: [1, 2]}", J{{"n", 2}}, true},
      {"{n: [1, 2]}", J{{"n", 3}}, false},
      {"{n: {eq: 3}}", J{{"n", 3}}, true},
      {"{n: {ne: 3}}", J{{"n", 3}}, false},
      {"{n: {ne: 3}}", J{{"n", 4}}, true},
      {"{n: {ne: 3}}", J::object(), true},
      {"{n: {in: [5, 6]}}", J{{"n", 6}}, true},
      {"{n: {lt: 3}}", J{{"n", 2}}, true},
      {"{n: {lt: 3}}", J{{"n", 3}}, false},
      {"{n: {le: 3}}", J{{"n", 3}}, true},
      {"{n: {le: 3}}", J{{"n", 4}}, false},
      {"{n: {gt: 3}}", J{{"n", 4}}, true},
      {"{n: {gt: 3}}", J{{"n", 3}}, false},
      {"{n: {ge: 3}}", J{{"n", 3}}, true},
      {"{n: {ge: 3}}", J{{"n", -7}}, false},
      {"{n: {ge: 3}}", J::object(), false},
      {"{n: {ge: 1, le: 10}}", J{{"n", 10}}, true},
      {"{n: {ge: 1, le: 10}}", J{{"n", 11}}, false},
      {"{day: {lt: 2026-03-01}}", J{{"day", "2026-02-28"}}, true},
      {"{day: {lt: 2026-03-01}}", J{{"day", "2026-03-01"}}, false},
      {"{day: {ge: 2026-03-01}}", J{{"day", "2026-12-31"}}, true},
      {"{day: 2026-03-01}", J{{"day", "2026-03-01"}}, true},
      {"{kind: a}", J{{"kind", "a"}}, true},
      {"{kind: a}", J{{"kind", "b"}}, false},
      {"{kind: [b, c]}", J{{"kind", "c"}}, true},
      {"{kind: {ne: a}}", J{{"kind", "b"}}, true},
      {"{flag: true}", J{{"flag", true}}, true},
      {"{flag: true}", J{{"flag", false}}, false},
      {"{flag: false}", J{{"flag", false}}, true},
      {"{text: DE}", J{{"text", "DE"}}, true},
      {"{text: DE}", J{{"text", "FR"}}, false},
      {"{text: {set: true}}", J{{"text", "FR"}}, true},
      {"{text: {set: true}}", J{{"text", ""}}, false},
      {"{text: {set: false}}", J::object(), true},
      {"{text: {set: false}}", J{{"text", "x"}}, false},
      {"{items: {set: true}}", J{{"items", J::array({"x"})}}, true},
      {"{items: {set: true}}", J{{"items", J::array()}}, false},
      {"{n: 3, kind: a}", J{{"n", 3}, {"kind", "a"}}, true},
      {"{n: 3, kind: a}", J{{"n", 3}, {"kind", "b"}}, false},
  };
  for (const OperatorCase& c : cases) {
    auto cw = Probe(c.when);
    ASSERT_NE(cw, nullptr) << c.when;
    EXPECT_EQ(Hits(*cw, c.data), c.holds) << c.when << " on " << c.data.dump();
  }
}

TEST(GuardOperatorTest, TheEventsDataWinsOverTheRequestsAndItsNullClears) {
  auto cw = Probe("{kind: a}");
  ASSERT_NE(cw, nullptr);
  EXPECT_TRUE(Hits(*cw, {{"kind", "b"}}, {{"kind", "a"}}));
  EXPECT_FALSE(Hits(*cw, {{"kind", "a"}}, {{"kind", "b"}}));
  EXPECT_FALSE(Hits(*cw, {{"kind", "a"}}, {{"kind", nullptr}}));
  auto unset = Probe("{kind: {set: false}}");
  ASSERT_NE(unset, nullptr);
  EXPECT_TRUE(Hits(*unset, {{"kind", "a"}}, {{"kind", nullptr}}));
}

TEST(GuardOperatorTest, ConditionsAreCompiledToTypedValues) {
  auto cw = Probe("{n: {in: [5, 6]}, flag: true, kind: [b, c]}");
  ASSERT_NE(cw, nullptr);
  const CompiledTransition& t = cw->transitions[0];
  ASSERT_EQ(t.when.size(), 3u);
  EXPECT_EQ(t.when[0].type, FieldType::kInteger);
  EXPECT_EQ(t.when[0].numbers, (std::vector<int64_t>{5, 6}));
  EXPECT_EQ(t.when[1].numbers, (std::vector<int64_t>{1}));
  EXPECT_EQ(t.when[2].texts, (std::vector<std::string>{"b", "c"}));
  // The unguarded fallback is tried second: the group keeps file order.
  TransitionGroup g = cw->Group(0, 0);
  ASSERT_EQ(g.end - g.begin, 2);
  EXPECT_EQ(g.begin[0], 0);
  EXPECT_EQ(g.begin[1], 1);
}

WorkflowDefinition GuardedDefinition() {
  LoadReport report =
      LoadDefinitions({std::string(ROGATORY_FIXTURES_DIR) + "/guards/provisional_arrest.yaml"});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

TEST(GuardGraphTest, AGuardedEdgeIsLabelledWithItsCondition) {
  const WorkflowDefinition def = GuardedDefinition();
  const std::string dot = RenderDot(def);
  EXPECT_THAT(dot, HasSubstr("[label=\"arrest [legal_basis = ece_1957]\\nstarts provisional_18d"));
  EXPECT_THAT(dot, HasSubstr("[label=\"arrest [legal_basis in [bilateral, reciprocity]]\"]"));
  EXPECT_THAT(dot, HasSubstr("[label=\"provisional_lapsed [in_custody = true]\"]"));
  // A guarded stay is listed inside its state, escaped for Graphviz's HTML-like labels.
  EXPECT_THAT(dot, HasSubstr("count_persons [persons &gt;= 1, persons &lt;= 10]</font>"));
  const std::string mermaid = RenderMermaid(def);
  EXPECT_THAT(mermaid,
              HasSubstr("requested --> provisional_arrest : arrest [legal_basis = ece_1957] / "
                        "starts provisional_18d (P18D)\n"));
  EXPECT_THAT(mermaid, HasSubstr("provisional_arrest : \u21bb provisional_lapsed\n"));
}

TEST(GuardDefinitionJsonTest, WhenIsServedAsWritten) {
  const nlohmann::json j = DefinitionToJson(GuardedDefinition());
  EXPECT_EQ(j["transitions"][0]["when"], (nlohmann::json{{"legal_basis", "ece_1957"}}));
  EXPECT_EQ(j["transitions"][1]["when"],
            (nlohmann::json{{"legal_basis", nlohmann::json::array({"bilateral", "reciprocity"})}}));
  EXPECT_EQ(j["transitions"][5]["when"], (nlohmann::json{{"persons", {{"ge", 1}, {"le", 10}}}}));
  EXPECT_FALSE(j["transitions"][4].contains("when"));
}

TEST(GuardValidatorTest, AGroupOfGuardedAlternativesEndingWithoutWhenIsValid) {
  EXPECT_TRUE(ValidateDefinition(GuardedDefinition()).empty());
}

TEST(GuardChooseTransitionTest, NamesTheAlternativeFireTakesAndMinusOneWhenNoneHolds) {
  const WorkflowDefinition def = GuardedDefinition();
  Engine engine(
      EngineOptions{std::shared_ptr<Store>(NewMemoryStore()), std::make_shared<ManualClock>(T0())});
  ASSERT_TRUE(engine.LoadDefinition(def).ok());
  const Actor authority{"ra", {"requested_authority"}, ""};
  CreateCall create;
  create.workflow = "provisional_arrest";
  create.data = {{"country", "FR"}, {"legal_basis", "bilateral"}};
  Result<Request> r = engine.Create(create, authority);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  EventCall arrest;
  arrest.event = "arrest";
  EXPECT_EQ(engine.ChooseTransition(*r, arrest).value(), 1);  // bilateral: the second entry
  arrest.data = {{"legal_basis", "ece_1957"}};                // the event's data wins
  EXPECT_EQ(engine.ChooseTransition(*r, arrest).value(), 0);
  EventCall count;
  count.event = "count_persons";
  EXPECT_EQ(engine.ChooseTransition(*r, count).value(), -1);  // `persons` unset: no when holds
  EventCall surrender;
  surrender.event = "surrender";
  EXPECT_EQ(engine.ChooseTransition(*r, surrender).value(), -1);  // not from `requested`
  count.data = {{"persons", "many"}};
  EXPECT_EQ(engine.ChooseTransition(*r, count).status().code(), StatusCode::kInvalidArgument);

  // Fire takes the entry ChooseTransition named: ece_1957 starts the 18-day clock.
  Result<Request> fired = engine.Fire(r->id, arrest, authority);
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  ASSERT_EQ(fired->deadlines.size(), 1u);
  EXPECT_EQ(fired->deadlines[0].name, "provisional_18d");

  Request unknown = *r;
  unknown.workflow = "nope";
  EXPECT_EQ(engine.ChooseTransition(unknown, arrest).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rogatory::testing
