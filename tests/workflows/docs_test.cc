// docs/workflows/NAME.md must show the current diagram of each shipped workflow (the output
// of RenderMermaid, which `rogatory graph NAME` prints, and the picture NAME.svg, which
// `rogatory graph NAME --format svg` prints) and name every state, event and deadline. Run
// with ROGATORY_UPDATE_DOCS=1 to rewrite the diagrams and pictures in place.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "rogatory/graph.h"
#include "rogatory/graph_svg.h"
#include "workflows/scenario.h"

namespace rogatory::workflow_testing {
namespace {

const char kFence[] = "```mermaid\n";

std::string DocPath(const std::string& workflow) {
  return std::string(ROGATORY_SOURCE_DIR) + "/docs/workflows/" + workflow + ".md";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The newest version of every shipped workflow: the one its document describes.
std::map<std::string, const WorkflowDefinition*> Newest() {
  std::map<std::string, const WorkflowDefinition*> out;
  for (const auto& def : ShippedWorkflows().definitions) {
    auto& slot = out[def.id];
    if (slot == nullptr || slot->version < def.version) slot = &def;
  }
  return out;
}

// The text of the first ```mermaid block of `doc` and where it starts; npos when absent.
std::pair<size_t, size_t> DiagramSpan(const std::string& doc) {
  size_t begin = doc.find(kFence);
  if (begin == std::string::npos) return {std::string::npos, 0};
  begin += sizeof(kFence) - 1;
  size_t end = doc.find("```", begin);
  if (end == std::string::npos) return {std::string::npos, 0};
  return {begin, end - begin};
}

TEST(WorkflowDocsTest, DiagramsAreTheCurrentRogatoryGraphOutput) {
  const bool update = std::getenv("ROGATORY_UPDATE_DOCS") != nullptr;
  for (const auto& [id, def] : Newest()) {
    const std::string path = DocPath(id);
    std::string doc = ReadFile(path);
    ASSERT_FALSE(doc.empty()) << path << " is missing";
    const std::string expected = RenderMermaid(*def);
    auto [begin, length] = DiagramSpan(doc);
    ASSERT_NE(begin, std::string::npos) << path << " has no ```mermaid block";
    if (update && doc.compare(begin, length, expected) != 0) {
      doc.replace(begin, length, expected);
      std::ofstream(path) << doc;
      continue;
    }
    EXPECT_EQ(doc.substr(begin, length), expected)
        << path << " shows an outdated diagram: paste `rogatory graph " << id
        << "`, or rerun this test with ROGATORY_UPDATE_DOCS=1";
  }
}

// The <title> texts of an SVG: what it names (states, clusters, arrows), whatever the fonts.
std::set<std::string> SvgTitles(const std::string& svg) {
  std::set<std::string> out;
  const std::string open = "<title>", close = "</title>";
  for (size_t at = svg.find(open); at != std::string::npos; at = svg.find(open, at)) {
    at += open.size();
    const size_t end = svg.find(close, at);
    if (end == std::string::npos) break;
    out.insert(svg.substr(at, end - at));
  }
  return out;
}

// The pictures are compared by what they name rather than byte for byte: Graphviz's text
// measurements depend on the fonts installed, not on the workflow.
TEST(WorkflowDocsTest, PicturesAreTheCurrentSvgAndEachPageShowsItsOwn) {
  const bool update = std::getenv("ROGATORY_UPDATE_DOCS") != nullptr;
  for (const auto& [id, def] : Newest()) {
    const std::string path = std::string(ROGATORY_SOURCE_DIR) + "/docs/workflows/" + id + ".svg";
    Result<std::string> svg = RenderSvg(*def);
    ASSERT_TRUE(svg.ok()) << id << ": " << svg.status().message();
    const std::string committed = ReadFile(path);
    if (update && committed != *svg) {
      std::ofstream(path, std::ios::binary) << *svg;
      continue;
    }
    EXPECT_FALSE(committed.empty()) << path << " is missing";
    EXPECT_EQ(SvgTitles(committed), SvgTitles(*svg))
        << path << " is outdated: rerun this test with ROGATORY_UPDATE_DOCS=1";
    EXPECT_NE(ReadFile(DocPath(id)).find("](" + id + ".svg)"), std::string::npos)
        << DocPath(id) << " does not show " << id << ".svg";
  }
}

TEST(WorkflowDocsTest, EveryStateEventAndDeadlineIsDocumented) {
  for (const auto& [id, def] : Newest()) {
    const std::string doc = ReadFile(DocPath(id));
    for (const auto& s : def->states) {
      EXPECT_NE(doc.find("`" + s.name + "`"), std::string::npos) << id << ": state " << s.name;
    }
    for (const auto& t : def->transitions) {
      EXPECT_NE(doc.find("`" + t.event + "`"), std::string::npos) << id << ": event " << t.event;
    }
    for (const auto& d : def->deadlines) {
      EXPECT_NE(doc.find("`" + d.name + "`"), std::string::npos) << id << ": deadline " << d.name;
    }
    for (const auto& f : def->fields) {
      EXPECT_NE(doc.find("`" + f.name + "`"), std::string::npos) << id << ": field " << f.name;
    }
  }
}

TEST(WorkflowDocsTest, IndexListsEveryWorkflow) {
  const std::string index =
      ReadFile(std::string(ROGATORY_SOURCE_DIR) + "/docs/workflows/README.md");
  ASSERT_FALSE(index.empty());
  for (const auto& [id, def] : Newest()) {
    EXPECT_NE(index.find("(" + id + ".md)"), std::string::npos) << id << " is not in the index";
  }
}

}  // namespace
}  // namespace rogatory::workflow_testing
