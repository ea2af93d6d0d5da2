// Diagram rendering: committed Mermaid and dot files are the expected output, so a change in
// rendering shows up as a diff to review (regenerate with `rogatory graph FILE [--format dot]`).
#include "rogatory/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

// A golden file: `definition` rendered as Mermaid or dot must equal `expected` byte for byte.
// Both paths are relative to the source tree. Run with ROGATORY_UPDATE_GOLDEN=1 to rewrite the
// expected files from the current rendering (then review the diff).
struct Golden {
  std::string definition;
  std::string expected;
  bool dot;
};

std::vector<Golden> Goldens() {
  const std::string graphs = "tests/fixtures/graphs/";
  std::vector<Golden> out = {
      {"tests/fixtures/definitions/valid/eio.yaml", graphs + "eio.mmd", false},
      {"tests/fixtures/definitions/valid/eio.yaml", graphs + "eio.dot", true},
      {"tests/fixtures/definitions/valid/mla_full.yaml", graphs + "mla_full.mmd", false},
      {"tests/fixtures/definitions/valid/mla_full.yaml", graphs + "mla_full.dot", true},
      {"tests/fixtures/guards/provisional_arrest.yaml", graphs + "provisional_arrest.dot", true},
  };
  // One small fixture per drawing rule (rogatory/graph.h), in both renderings.
  for (const char* rule : {"star", "stay", "guard", "phases", "terminal", "deadline"}) {
    const std::string base = graphs + "rules/" + rule;
    out.push_back({base + ".yaml", base + ".dot", true});
    out.push_back({base + ".yaml", base + ".mmd", false});
  }
  // The shipped workflows in dot; their Mermaid is checked in docs/workflows/ (docs_test.cc).
  for (const char* id :
       {"eaw", "eio", "epoc", "extradition", "jit", "mla_untoc", "spontaneous_information"}) {
    out.push_back(
        {std::string("workflows/") + id + ".v1.yaml", graphs + "shipped/" + id + ".dot", true});
  }
  return out;
}

class GraphGoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(GraphGoldenTest, MatchesCommittedDiagram) {
  const Golden& g = GetParam();
  const std::string source = ROGATORY_SOURCE_DIR;
  WorkflowDefinition def = Load(source + "/" + g.definition);
  const std::string actual = g.dot ? RenderDot(def) : RenderMermaid(def);
  const std::string path = source + "/" + g.expected;
  if (std::getenv("ROGATORY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, ReadFile(path))
      << path << " is outdated: rerun with ROGATORY_UPDATE_GOLDEN=1 and review the diff";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GraphGoldenTest, ::testing::ValuesIn(Goldens()),
                         [](const ::testing::TestParamInfo<Golden>& info) {
                           // "tests/fixtures/graphs/rules/star.dot" -> "rules_star_dot"
                           std::string name = info.param.expected.substr(
                               std::string("tests/fixtures/graphs/").size());
                           for (char& c : name) {
                             if (c == '.' || c == '/') c = '_';
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

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Issue 15: every "*" transition was drawn from every state; the EAW diagram was a wall of
// `withdraw` arrows (one per non-terminal state, 15 of them).
TEST(GraphTest, StarTransitionIsDrawnOnceNotFromEveryState) {
  const WorkflowDefinition eaw = Load(std::string(ROGATORY_SOURCE_DIR) + "/workflows/eaw.v1.yaml");
  const std::string dot = RenderDot(eaw);
  EXPECT_EQ(Count(dot, "-> \"withdrawn\""), 1u) << dot;
  EXPECT_THAT(dot, HasSubstr("  \"__any\" -> \"withdrawn\" [label=\"withdraw\", style=dashed];\n"));
  const std::string mermaid = RenderMermaid(eaw);
  EXPECT_EQ(Count(mermaid, "--> withdrawn :"), 1u) << mermaid;
  EXPECT_THAT(mermaid, HasSubstr("    __any --> withdrawn : withdraw\n"));
}

// Issue 15: moves that stay in their state were drawn as loops from every state they apply to.
TEST(GraphTest, StaysAreListedInsideTheirStateNotDrawnAsLoops) {
  const std::string dot = RenderDot(Parse(kLoops));
  EXPECT_THAT(dot, Not(HasSubstr("\"open\" -> \"open\"")));
  EXPECT_THAT(dot, HasSubstr("    \"open\" [label=<<b>open</b><br/><font point-size=\"10\">\u21bb "
                             "note</font><br align=\"left\"/><font point-size=\"10\">\u21bb "
                             "ping</font><br align=\"left\"/>>];\n"));
  const std::string mermaid = RenderMermaid(Parse(kLoops));
  EXPECT_THAT(mermaid, Not(HasSubstr("open --> open")));
  EXPECT_THAT(mermaid, HasSubstr("    open : \u21bb note\n    open : \u21bb ping\n"));
}

TEST(GraphTest, StayLabelsAreEscapedForGraphvizHtml) {
  const WorkflowDefinition def =
      Load(std::string(ROGATORY_SOURCE_DIR) + "/tests/fixtures/graphs/rules/stay.yaml");
  EXPECT_THAT(RenderDot(def), HasSubstr("\u21bb recount [count &gt;= 3]</font>"));
}

TEST(GraphTest, MermaidAliasesStatesNamedLikeKeywords) {
  const std::string mermaid = RenderMermaid(Parse(kLoops));
  EXPECT_THAT(mermaid, HasSubstr("    state \"end\" as end_state\n"));
  EXPECT_THAT(mermaid, HasSubstr("    __any --> end_state : close\n"));
  EXPECT_THAT(mermaid, HasSubstr("    end_state --> [*]\n"));
  EXPECT_THAT(mermaid, HasSubstr("    class end_state closure\n"));
}

TEST(GraphTest, DotMarksStartAndTerminalStates) {
  const std::string dot = RenderDot(Parse(kLoops));
  EXPECT_THAT(dot, HasSubstr("    \"end\" [peripheries=2];\n"));
  EXPECT_THAT(dot, HasSubstr("  \"end\" -> \"__end\";\n"));
  EXPECT_THAT(dot, HasSubstr("  \"__start\" -> \"open\";\n"));
}

TEST(GraphTest, ArrowsShowTheDeadlinesTheyStart) {
  const WorkflowDefinition def =
      Load(std::string(ROGATORY_SOURCE_DIR) + "/tests/fixtures/graphs/rules/deadline.yaml");
  EXPECT_THAT(RenderDot(def),
              HasSubstr("\"asked\" -> \"waiting\" [label=\"acknowledge\\nstarts reply_30d (P30D), "
                        "remind_7d (P7D)\"];"));
  EXPECT_THAT(
      RenderMermaid(def),
      HasSubstr("asked --> waiting : acknowledge / starts reply_30d (P30D), remind_7d (P7D)\n"));
  EXPECT_THAT(RenderMermaid(def), HasSubstr("waiting : \u21bb remind (starts remind_7d (P7D))\n"));
}

TEST(GraphTest, DotEscapesQuotesInTitles) {
  WorkflowDefinition def = Parse(kLoops);
  def.title = "A \"quoted\" title";
  EXPECT_THAT(RenderDot(def), HasSubstr("label=\"loops@1: A \\\"quoted\\\" title\";"));
}

}  // namespace
}  // namespace rogatory
