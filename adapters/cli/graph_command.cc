#include "graph_command.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "commands.h"
#include "config.h"
#include "rogatory/definition_loader.h"
#include "rogatory/graph.h"
#include "rogatory/graph_svg.h"

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
  std::string target, format = "mermaid", config_path, folder;
  // --config FILE / --config=FILE and --workflows likewise; false on a missing value.
  auto option = [&](const std::string& arg, const char* name, std::string* value, int* i) {
    const std::string eq = std::string(name) + "=";
    if (arg == name) {
      if (*i + 1 == argc) return false;
      *value = argv[++*i];
    } else {
      *value = arg.substr(eq.size());
    }
    return !value->empty();
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kGraphUsage;
      return 0;
    }
    if (arg == "--format" || arg.rfind("--format=", 0) == 0) {
      if (arg == "--format") {
        if (i + 1 == argc) return UsageError("--format needs a value: mermaid, dot or svg");
        format = argv[++i];
      } else {
        format = arg.substr(std::string("--format=").size());
      }
      if (format != "mermaid" && format != "dot" && format != "svg") {
        return UsageError("unknown format '" + format + "': use mermaid, dot or svg");
      }
    } else if (arg == "--config" || arg.rfind("--config=", 0) == 0) {
      if (!option(arg, "--config", &config_path, &i)) return UsageError("--config needs a FILE");
    } else if (arg == "--workflows" || arg.rfind("--workflows=", 0) == 0) {
      if (!option(arg, "--workflows", &folder, &i)) return UsageError("--workflows needs a DIR");
    } else if (arg.size() > 1 && arg[0] == '-') {
      return UsageError("unknown option '" + arg + "'");
    } else if (!target.empty()) {
      return UsageError("one WORKFLOW or FILE at a time");
    } else {
      target = arg;
    }
  }
  if (target.empty()) return UsageError("no WORKFLOW or FILE given");
  if (!config_path.empty() && !folder.empty()) {
    return UsageError("give --config or --workflows, not both");
  }
  std::string where = "./" + std::string(kWorkflowsFolder) + "/";
  if (!config_path.empty()) {
    ConfigResult loaded = LoadConfig(config_path);
    if (!loaded.ok()) {
      for (const std::string& e : loaded.errors) std::cerr << e << "\n";
      return 2;
    }
    folder = loaded.config.workflows;
    where = folder + " (the workflows: of " + config_path + ")";
  } else if (!folder.empty()) {
    where = folder;
  } else {
    folder = kWorkflowsFolder;
  }

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
    if (!std::filesystem::is_directory(folder, ec)) {
      std::cerr << "rogatory graph: no " << where
                << " folder; give a FILE, --workflows DIR or --config FILE, or run where "
                   "workflows/ is\n";
      return 1;
    }
    report = LoadDefinitions({folder});
    def = PickDefinition(report.definitions, *spec);
    if (def == nullptr) {
      PrintErrors(report);
      std::cerr << "rogatory graph: workflow '" << spec->id << "'"
                << (spec->version ? " version " + std::to_string(*spec->version) : "")
                << " not found in " << where << "\n";
      return 1;
    }
    if (!report.ok()) {
      std::cerr << "rogatory graph: warning: " << report.errors.size() << " problem(s) in " << where
                << "; run 'rogatory validate " << folder << "' for details\n";
    }
  }
  if (format == "svg") {
    Result<std::string> svg = RenderSvg(*def);
    if (!svg.ok()) {
      std::cerr << "rogatory graph: " << svg.status().message() << "\n";
      return 1;
    }
    std::cout << *svg;
    return 0;
  }
  std::cout << (format == "dot" ? RenderDot(*def) : RenderMermaid(*def));
  return 0;
}

}  // namespace rogatory::cli
