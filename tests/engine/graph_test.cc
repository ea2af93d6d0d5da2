// Diagram rendering: committed Mermaid and dot files are the expected output, so a change in
// rendering shows up as a diff to review (regenerate with `rogatory graph FILE [--format dot]`).
#include "rogatory/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rogatory/definition_loader.h"

namespace rogatory {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kFixtures = ROGATORY_FIXTURES_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

WorkflowDefinition Load(const std::string& path) {
  LoadReport report = LoadDefinitions({path});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

WorkflowDefinition Parse(const std::string& yaml) {
  LoadReport report = ParseDefinition(yaml, "inline.yaml");
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

struct Golden {
  const char* definition;  // under definitions/valid/
  const char* expected;    // under graphs/
  bool dot;
};

class GraphGoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GraphGoldenTest, MatchesCommittedDiagram) {
  const Golden& g = GetParam();
  WorkflowDefinition def = Load(kFixtures + "/definitions/valid/" + g.definition);
  EXPECT_EQ(g.dot ? RenderDot(def) : RenderMermaid(def),
            ReadFile(kFixtures + "/graphs/" + g.expected));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GraphGoldenTest,
                         ::testing::Values(Golden{"eio.yaml", "eio.mmd", false},
                                           Golden{"eio.yaml", "eio.dot", true},
                                           Golden{"mla_full.yaml", "mla_full.mmd", false},
                                           Golden{"mla_full.yaml", "mla_full.dot", true}),
                         [](const ::testing::TestParamInfo<Golden>& info) {
                           std::string name = info.param.expected;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

constexpr char kLoops[] = R"(workflow: loops
version: 1
states:
  open: {phase: drafting, initial: true}
  end:  {phase: closure, terminal: true}
transitions:
  - {event: note,   from: open,          roles: [clerk]}
  - {event: ping,   from: open, to: open, roles: [clerk]}
  - {event: close,  from: "*", to: end,   roles: [clerk]}
)";

TEST(GraphTest, MermaidDrawsSelfLoopsAndExpandsStar) {
  const std::string mermaid = RenderMermaid(Parse(kLoops));
  EXPECT_THAT(mermaid, HasSubstr("    open --> open : note\n"));
  EXPECT_THAT(mermaid, HasSubstr("    open --> open : ping\n"));
  // "*" is every non-terminal state: here only `open`.
  EXPECT_THAT(mermaid, HasSubstr("    open --> end_state : close\n"));
  EXPECT_THAT(mermaid, Not(HasSubstr("end_state --> end_state")));
}

TEST(GraphTest, MermaidAliasesStatesNamedLikeKeywords) {
  const std::string mermaid = RenderMermaid(Parse(kLoops));
  EXPECT_THAT(mermaid, HasSubstr("    state \"end\" as end_state\n"));
  EXPECT_THAT(mermaid, HasSubstr("    end_state --> [*]\n"));
  EXPECT_THAT(mermaid, HasSubstr("    class end_state closure\n"));
}

TEST(GraphTest, DotDrawsSelfLoopsAndTerminalStates) {
  const std::string dot = RenderDot(Parse(kLoops));
  EXPECT_THAT(dot, HasSubstr("  \"open\" -> \"open\" [label=\"note\"];\n"));
  EXPECT_THAT(dot, HasSubstr("    \"end\" [peripheries=2];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"__start\" -> \"open\";\n"));
}

TEST(GraphTest, DotEscapesQuotesInTitles) {
  WorkflowDefinition def = Parse(kLoops);
  def.title = "A \"quoted\" title";
  EXPECT_THAT(RenderDot(def), HasSubstr("label=\"loops@1: A \\\"quoted\\\" title\";"));
}

}  // namespace
}  // namespace rogatory
