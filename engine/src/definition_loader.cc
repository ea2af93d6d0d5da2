// Loading definitions: parse (definition_parser.h), validate (definition_validator.h), and
// for files and folders, read them in a deterministic order and refuse repeated versions.
#include "rogatory/definition_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>
#include <utility>

#include "definition_parser.h"
#include "definition_validator.h"
#include "utf8.h"

namespace rogatory {
namespace {

namespace fs = std::filesystem;

constexpr char kScenarioFolder[] = "tests";

void SortErrors(std::vector<DefinitionError>* errors) {
  auto by_place = [](const DefinitionError& a, const DefinitionError& b) {
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  };
  // A report already in order (none or one error, or errors found top to bottom) skips the
  // sort: stable_sort allocates a buffer even for one element and moves every message through
  // it (the sort was about a tenth of workflow_fuzz's time in the loader).
  if (std::is_sorted(errors->begin(), errors->end(), by_place)) return;
  std::stable_sort(errors->begin(), errors->end(), by_place);
}

bool IsDefinitionFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// Editors' and VCS's hidden files (".#eio.yaml", ".git/") are not definitions.
bool IsHidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.' && name != "." && name != "..";
}

// The definition files a path names: itself, or the *.yaml / *.yml files under a folder,
// sorted. Problems (a missing path, an unreadable folder) go to `errors`.
std::vector<std::string> ExpandPath(const std::string& path, std::vector<DefinitionError>* errors) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    errors->push_back(DefinitionError{path, 0, "no such file or folder"});
    return {};
  }
  if (!fs::is_directory(status)) return {path};
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (IsHidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    // workflows/tests/ holds scenario files for `rogatory test`, not definitions.
    if (it->path().filename() == kScenarioFolder && it->is_directory(ec)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && IsDefinitionFile(it->path())) {
      files.push_back(it->path().generic_string());
    }
  }
  if (ec) errors->push_back(DefinitionError{path, 0, "cannot read folder: " + ec.message()});
  std::sort(files.begin(), files.end());
  return files;
}

bool ReadFile(const std::string& path, std::string* text, std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *why = "read error";
    return false;
  }
  *text = buffer.str();
  return true;
}

}  // namespace

std::string DefinitionError::ToString() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

std::string LoadReport::ErrorText() const {
  std::string out;
  for (const auto& e : errors) out += e.ToString() + "\n";
  return out;
}

LoadReport ParseDefinition(std::string_view text, std::string_view file_name) {
  LoadReport report;
  // Everything in a definition is served as JSON later, which must be valid UTF-8; yaml-cpp
  // passes bad bytes through, so the whole text is checked first. YAML forbids control
  // characters too, and yaml-cpp turns a NUL in a quoted scalar into bytes that are not UTF-8
  // (found by fuzzing).
  size_t control =
      text.find_first_of(std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"
                                          "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
                                          "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"));
  control = std::min(control, text.find('\0'));
  const size_t invalid = FindInvalidUtf8(text);
  if (const size_t bad = std::min(control, invalid); bad != std::string_view::npos) {
    const std::string_view before = text.substr(0, bad);
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const size_t column =
        bad - (before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1);
    report.errors.push_back(DefinitionError{
        std::string(file_name), line,
        bad == invalid
            ? std::string("invalid UTF-8")
            : "holds a control character (byte " + std::to_string(column + 1) + " of the line)"});
    return report;
  }
  ParsedDefinition parsed = ParseDefinitionYaml(text, file_name);
  report.errors = std::move(parsed.errors);
  if (parsed.definition) {
    std::vector<DefinitionError> more = ValidateWithNotes(*parsed.definition, parsed.notes);
    report.errors.insert(report.errors.end(), more.begin(), more.end());
  }
  SortErrors(&report.errors);
  if (report.errors.empty()) {
    report.warnings = DefinitionWarnings(*parsed.definition);
    report.definitions.push_back(std::move(*parsed.definition));
  }
  return report;
}

std::vector<DefinitionError> ValidateDefinition(const WorkflowDefinition& def) {
  std::vector<DefinitionError> errors = ValidateWithNotes(def, ParseNotes{});
  SortErrors(&errors);
  return errors;
}

LoadReport LoadDefinitions(const std::vector<std::string>& paths, const DefinitionLimits& limits) {
  LoadReport report;
  std::vector<DefinitionError> errors;
  // (workflow, version) -> where it was first defined.
  std::map<std::pair<std::string, int>, std::string> seen;
  std::set<std::string> loaded;  // canonical paths: a file named twice is read once
  for (const auto& path : paths) {
    for (const auto& file : ExpandPath(path, &errors)) {
      std::error_code ec;
      const fs::path canonical = fs::weakly_canonical(file, ec);
      if (!loaded.insert(ec ? file : canonical.string()).second) continue;
      std::string text, why;
      const uintmax_t size = fs::file_size(file, ec);
      if (!ec && size > limits.max_file_bytes) {
        errors.push_back(
            DefinitionError{file, 0,
                            "is " + std::to_string(size) + " bytes, more than the " +
                                std::to_string(limits.max_file_bytes) +
                                " a definition may have (limits.max_definition_bytes)"});
        continue;
      }
      if (!ReadFile(file, &text, &why)) {
        errors.push_back(DefinitionError{file, 0, "cannot read: " + why});
        continue;
      }
      LoadReport one = ParseDefinition(text, file);
      errors.insert(errors.end(), one.errors.begin(), one.errors.end());
      report.warnings.insert(report.warnings.end(), one.warnings.begin(), one.warnings.end());
      for (auto& def : one.definitions) {
        auto [it, inserted] = seen.emplace(std::make_pair(def.id, def.version), file);
        if (!inserted) {
          errors.push_back(DefinitionError{
              file, def.line,
              "workflow '" + def.id + "' version " + std::to_string(def.version) +
                  " is already defined in " + it->second + "; give this one a new version number"});
          continue;
        }
        report.definitions.push_back(std::move(def));
      }
    }
  }
  SortErrors(&errors);
  report.errors = std::move(errors);
  return report;
}

}  // namespace rogatory
