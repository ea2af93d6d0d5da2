// docs/workflow-format.md stays true: every complete definition in it validates, and its
// diagram is what `rogatory graph` prints for the first one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/graph.h"

namespace rogatory {
namespace {

const std::string kDoc = std::string(ROGATORY_SOURCE_DIR) + "/docs/workflow-format.md";

// The contents of every ```LANGUAGE fenced block of `markdown`, in order.
std::vector<std::string> FencedBlocks(const std::string& markdown, const std::string& language) {
  std::vector<std::string> blocks;
  std::istringstream in(markdown);
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```" + language) {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  return blocks;
}

std::string ReadDoc() {
  std::ifstream in(kDoc, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The YAML blocks that are whole definitions (the others show a fragment).
std::vector<std::string> Definitions() {
  std::vector<std::string> out;
  for (const auto& block : FencedBlocks(ReadDoc(), "yaml")) {
    if (block.rfind("workflow:", 0) == 0) out.push_back(block);
  }
  return out;
}

TEST(WorkflowFormatDocTest, EveryCompleteExampleValidates) {
  const std::vector<std::string> definitions = Definitions();
  ASSERT_GE(definitions.size(), 2u);
  for (const auto& yaml : definitions) {
    LoadReport report = ParseDefinition(yaml, "docs/workflow-format.md example");
    EXPECT_TRUE(report.ok()) << report.ErrorText() << yaml;
  }
}

TEST(WorkflowFormatDocTest, DiagramIsWhatGraphPrintsForTheFirstExample) {
  LoadReport report = ParseDefinition(Definitions().at(0), "example");
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const std::vector<std::string> diagrams = FencedBlocks(ReadDoc(), "mermaid");
  ASSERT_EQ(diagrams.size(), 1u);
  EXPECT_EQ(diagrams[0], RenderMermaid(report.definitions.at(0)));
}

}  // namespace
}  // namespace rogatory
