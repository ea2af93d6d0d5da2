#include "validate_command.h"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "rogatory/definition_loader.h"

namespace rogatory::cli {

std::string ValidSummary(const WorkflowDefinition& def) {
  return "ok " + def.id + "@" + std::to_string(def.version) + " (" + def.source_name + ")";
}

int RunValidate(int argc, char** argv) {
  std::vector<std::string> paths;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!options_done && (arg == "--help" || arg == "-h")) {
      std::cout << kValidateUsage;
      return 0;
    }
    if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
      std::cerr << "rogatory validate: unknown option '" << arg << "'\n\n" << kValidateUsage;
      return 2;
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) {
    std::cerr << "rogatory validate: no PATH given\n\n" << kValidateUsage;
    return 2;
  }

  const LoadReport report = LoadDefinitions(paths);
  for (const auto& def : report.definitions) std::cout << ValidSummary(def) << "\n";
  std::cout.flush();
  for (const auto& error : report.errors) std::cerr << error.ToString() << "\n";
  // Warnings never change the exit status: the definition is valid and loads.
  for (const auto& w : report.warnings) {
    std::cerr << w.file << ":" << w.line << ": warning: " << w.message << "\n";
  }
  if (report.definitions.empty() && report.errors.empty()) {
    std::cerr << "rogatory validate: no definition files (*.yaml, *.yml) found\n";
    return 1;
  }
  return report.ok() ? 0 : 1;
}

}  // namespace rogatory::cli
