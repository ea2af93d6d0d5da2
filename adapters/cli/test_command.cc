#include "test_command.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "commands.h"
#include "config.h"
#include "rogatory/definition_loader.h"
#include "rogatory/markup.h"
#include "scenario.h"
#include "scenario_coverage.h"
#include "scenario_runner.h"

namespace rogatory::cli {
namespace {

struct Options {
  std::vector<std::string> paths;
  std::string workflows = "workflows/";
  bool coverage = false;
  int min_coverage = -1;  // -1: not enforced
  bool junit = false;
  std::string config;  // --config; empty: found as `rogatory serve` finds it
};

int Usage(const std::string& problem) {
  std::cerr << "rogatory test: " << problem << "\n\n" << kTestUsage;
  return 2;
}

struct Outcome {
  const Scenario* scenario;
  ScenarioResult result;
};

void WriteJunit(const std::vector<Outcome>& outcomes, std::ostream& out) {
  std::map<std::string, std::vector<const Outcome*>> by_file;
  int failures = 0;
  for (const auto& o : outcomes) {
    by_file[o.scenario->file].push_back(&o);
    if (!o.result.passed) ++failures;
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"rogatory test\" tests=\"" << outcomes.size() << "\" failures=\""
      << failures << "\">\n";
  for (const auto& [file, list] : by_file) {
    int file_failures = 0;
    for (const Outcome* o : list) file_failures += o->result.passed ? 0 : 1;
    out << "  <testsuite name=\"" << EscapeMarkup(file) << "\" tests=\"" << list.size()
        << "\" failures=\"" << file_failures << "\">\n";
    for (const Outcome* o : list) {
      const Scenario& s = *o->scenario;
      out << "    <testcase name=\"" << EscapeMarkup(s.name) << "\" classname=\""
          << EscapeMarkup(s.workflow + "@" + std::to_string(s.version)) << "\" file=\""
          << EscapeMarkup(s.file) << "\" line=\"" << (o->result.passed ? s.line : o->result.line)
          << "\"";
      if (o->result.passed) {
        out << "/>\n";
      } else {
        const std::string where = s.file + ":" + std::to_string(o->result.line);
        out << ">\n      <failure message=\"" << EscapeMarkup(o->result.message) << "\">"
            << EscapeMarkup(where + ": " + o->result.message) << "</failure>\n    </testcase>\n";
      }
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

bool ReadFile(const std::string& path, std::string* text, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

}  // namespace

int RunTest(int argc, char** argv) {
  Options o;
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (options_done || arg.empty() || arg[0] != '-' || arg == "-") {
      o.paths.emplace_back(arg);
    } else if (arg == "--") {
      options_done = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kTestUsage;
      return 0;
    } else if (arg == "--coverage") {
      o.coverage = true;
    } else if (arg == "--workflows") {
      const char* v = value("--workflows");
      if (v == nullptr) return Usage("--workflows needs a folder");
      o.workflows = v;
    } else if (arg == "--config") {
      const char* v = value("--config");
      if (v == nullptr) return Usage("--config needs a FILE");
      o.config = v;
    } else if (arg == "--format") {
      const char* v = value("--format");
      if (v == nullptr) return Usage("--format needs text or junit");
      if (std::string_view(v) == "junit") {
        o.junit = true;
      } else if (std::string_view(v) != "text") {
        return Usage("unknown format '" + std::string(v) + "'; use text or junit");
      }
    } else if (arg == "--min-coverage") {
      const char* v = value("--min-coverage");
      char* end = nullptr;
      const long n = v == nullptr ? -1 : std::strtol(v, &end, 10);
      if (v == nullptr || *v == '\0' || *end != '\0' || n < 0 || n > 100) {
        return Usage("--min-coverage needs a percentage from 0 to 100");
      }
      o.min_coverage = static_cast<int>(n);
    } else {
      return Usage("unknown option '" + std::string(arg) + "'");
    }
  }
  if (o.paths.empty()) return Usage("no PATH given");

  // Only time_zone is taken from the config: scenarios run on a memory store and virtual time.
  const ConfigResult config = LoadConfig(o.config);
  if (!config.ok()) {
    for (const std::string& e : config.errors) std::cerr << e << "\n";
    return 2;
  }

  const LoadReport definitions = LoadDefinitions({o.workflows});
  if (!definitions.ok()) {
    std::cerr << definitions.ErrorText();
    std::cerr << "rogatory test: the workflow definitions in " << o.workflows << " are invalid\n";
    return 1;
  }

  std::vector<DefinitionError> errors;
  std::vector<ScenarioFile> files;
  for (const auto& path : ExpandScenarioPaths(o.paths, &errors)) {
    std::string text, why;
    if (!ReadFile(path, &text, &why)) {
      errors.push_back(DefinitionError{path, 0, "cannot read: " + why});
      continue;
    }
    ScenarioFile f = ParseScenarioFile(text, path, definitions.definitions);
    errors.insert(errors.end(), f.errors.begin(), f.errors.end());
    files.push_back(std::move(f));
  }
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << e.ToString() << "\n";
    return 1;
  }
  size_t count = 0;
  for (const auto& f : files) count += f.scenarios.size();
  if (count == 0) {
    std::cerr << "rogatory test: no scenario files (*.yaml, *.yml) found\n";
    return 1;
  }

  CoverageCounter coverage;
  if (o.min_coverage >= 0) {
    for (const auto& def : definitions.definitions) coverage.Add(def);
  }
  std::vector<Outcome> outcomes;
  bool all_passed = true;
  for (const auto& f : files) {
    for (const auto& s : f.scenarios) {
      const WorkflowDefinition* def = nullptr;
      for (const auto& d : definitions.definitions) {
        if (d.id == s.workflow && d.version == s.version) def = &d;
      }
      Scenario with_zone = s;
      if (!with_zone.time_zone) with_zone.time_zone = config.config.time_zone;
      ScenarioResult r = RunScenario(with_zone, *def);
      coverage.Record(*def, r.history, r.fired);
      all_passed = all_passed && r.passed;
      if (!o.junit) std::cout << r.Summary(s) << "\n";
      outcomes.push_back(Outcome{&s, std::move(r)});
    }
  }
  if (o.junit) WriteJunit(outcomes, std::cout);

  std::ostream& report = o.junit ? std::cerr : std::cout;
  std::vector<std::string> below;
  for (const auto& c : coverage.Report()) {
    report << c.Line() << "\n";
    if (o.coverage) report << c.Details();
    if (o.min_coverage >= 0 && c.MinPercent() < o.min_coverage) {
      below.push_back(c.workflow + "@" + std::to_string(c.version));
    }
  }
  std::cout.flush();
  if (!below.empty()) {
    std::string list;
    for (const auto& b : below) list += (list.empty() ? "" : ", ") + b;
    std::cerr << "rogatory test: coverage below " << o.min_coverage << "%: " << list << "\n";
    return 1;
  }
  return all_passed ? 0 : 1;
}

}  // namespace rogatory::cli
