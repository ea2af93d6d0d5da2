// rogatory/graph_svg.h: SVG laid out by Graphviz's library in this process, and its errors.
#include "rogatory/graph_svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "rogatory/definition_loader.h"
#include "rogatory/graph.h"

namespace rogatory {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

WorkflowDefinition Shipped(const std::string& file) {
  LoadReport report = LoadDefinitions({std::string(ROGATORY_SOURCE_DIR) + "/workflows/" + file});
  EXPECT_TRUE(report.ok()) << report.ErrorText();
  return report.definitions.empty() ? WorkflowDefinition{} : report.definitions.front();
}

TEST(GraphSvgTest, DrawsTheWorkflowWithTitledNodesAndEdges) {
  Result<std::string> svg = RenderSvg(Shipped("eaw.v1.yaml"));
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_THAT(*svg, StartsWith("<?xml"));
  EXPECT_THAT(*svg, HasSubstr("<title>arrested</title>"));
  EXPECT_THAT(*svg, HasSubstr("<title>__any&#45;&gt;withdrawn</title>"));
  EXPECT_THAT(*svg, HasSubstr("<title>cluster_execution</title>"));
  EXPECT_THAT(*svg, HasSubstr("</svg>"));
}

TEST(GraphSvgTest, TextThatIsNotAGraphIsInvalidArgumentWithGraphvizMessage) {
  Result<std::string> svg = RenderDotToSvg("digraph { a -> ; }");
  ASSERT_FALSE(svg.ok());
  EXPECT_EQ(svg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(svg.status().message(), HasSubstr("syntax error"));
  EXPECT_FALSE(RenderDotToSvg("").ok());
}

// Graphviz's parser keeps state between calls: an error must not poison the next rendering.
TEST(GraphSvgTest, AnErrorDoesNotSpoilTheNextRendering) {
  ASSERT_FALSE(RenderDotToSvg("digraph { a -> ").ok());
  Result<std::string> svg = RenderDotToSvg("digraph { a -> b; }");
  ASSERT_TRUE(svg.ok()) << svg.status().message();
  EXPECT_THAT(*svg, HasSubstr("<title>a&#45;&gt;b</title>"));
}

// Graphviz is not thread-safe; the library serialises calls, so a server may call it freely.
TEST(GraphSvgTest, CallsFromSeveralThreadsAllSucceed) {
  const std::string dot = RenderDot(Shipped("eio.v1.yaml"));
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back([&, i] { ok[i] = RenderDotToSvg(dot).ok() ? 1 : 0; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, std::vector<int>(4, 1));
}

}  // namespace
}  // namespace rogatory
