#include "graph_command.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.h"
#include "rogatory/definition_loader.h"
#include "rogatory/graph.h"

namespace rogatory::cli {
namespace {

int UsageError(const std::string& why) {
  std::cerr << "rogatory graph: " << why << "\n\n" << kGraphUsage;
  return 2;
}

// A FILE rather than a WORKFLOW: an existing file, or a name that looks like one.
bool LooksLikeFile(const std::string& target) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(target, ec)) return true;
  const std::string ext = std::filesystem::path(target).extension().string();
  return ext == ".yaml" || ext == ".yml" || target.find('/') != std::string::npos;
}

void PrintErrors(const LoadReport& report) {
  for (const auto& error : report.errors) std::cerr << error.ToString() << "\n";
}

}  // namespace

std::optional<WorkflowSpec> ParseWorkflowSpec(std::string_view text) {
  WorkflowSpec spec;
  const size_t at = text.find('@');
  spec.id = std::string(text.substr(0, at));
  if (spec.id.empty()) return std::nullopt;
  if (at == std::string_view::npos) return spec;
  const std::string version(text.substr(at + 1));
  if (version.empty() || version.size() > 9 ||
      version.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int v = std::atoi(version.c_str());
  if (v <= 0) return std::nullopt;
  spec.version = v;
  return spec;
}

const WorkflowDefinition* PickDefinition(const std::vector<WorkflowDefinition>& defs,
                                         const WorkflowSpec& spec) {
  const WorkflowDefinition* best = nullptr;
  for (const auto& def : defs) {
    if (def.id != spec.id) continue;
    if (spec.version ? def.version == *spec.version
                     : (best == nullptr || def.version > best->version)) {
      best = &def;
    }
  }
  return best;
}

int RunGraph(int argc, char** argv) {
  std::string target, format = "mermaid";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kGraphUsage;
      return 0;
    }
    if (arg == "--format" || arg.rfind("--format=", 0) == 0) {
      if (arg == "--format") {
        if (i + 1 == argc) return UsageError("--format needs a value: mermaid or dot");
        format = argv[++i];
      } else {
        format = arg.substr(std::string("--format=").size());
      }
      if (format != "mermaid" && format != "dot") {
        return UsageError("unknown format '" + format + "': use mermaid or dot");
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + arg + "'");
    } else if (!target.empty()) {
      return UsageError("one WORKFLOW or FILE at a time");
    } else {
      target = arg;
    }
  }
  if (target.empty()) return UsageError("no WORKFLOW or FILE given");

  const WorkflowDefinition* def = nullptr;
  LoadReport report;
  if (LooksLikeFile(target)) {
    report = LoadDefinitions({target});
    if (!report.ok() || report.definitions.empty()) {
      PrintErrors(report);
      return 1;
    }
    def = &report.definitions.front();
  } else {
    const std::optional<WorkflowSpec> spec = ParseWorkflowSpec(target);
    if (!spec) return UsageError("'" + target + "' is neither WORKFLOW[@VERSION] nor a FILE");
    std::error_code ec;
    if (!std::filesystem::is_directory(kWorkflowsFolder, ec)) {
      std::cerr << "rogatory graph: no ./" << kWorkflowsFolder
                << "/ folder here; give a FILE, or run where workflows/ is\n";
      return 1;
    }
    report = LoadDefinitions({kWorkflowsFolder});
    def = PickDefinition(report.definitions, *spec);
    if (def == nullptr) {
      PrintErrors(report);
      std::cerr << "rogatory graph: workflow '" << spec->id << "'"
                << (spec->version ? " version " + std::to_string(*spec->version) : "")
                << " not found in ./" << kWorkflowsFolder << "/\n";
      return 1;
    }
    if (!report.ok()) {
      std::cerr << "rogatory graph: warning: " << report.errors.size() << " problem(s) in ./"
                << kWorkflowsFolder << "/; run 'rogatory validate " << kWorkflowsFolder
                << "/' for details\n";
    }
  }
  std::cout << (format == "dot" ? RenderDot(*def) : RenderMermaid(*def));
  return 0;
}

}  // namespace rogatory::cli
