// Loaded definitions, shared by every engine thread: readers take a shared lock for a map
// lookup; a new version is compiled outside the lock and inserted under an exclusive one.
#include "definition_registry.h"

#include <mutex>

#include "rogatory/definition_loader.h"

namespace rogatory {
namespace {

Status InvalidDefinition(const std::vector<DefinitionError>& errors) {
  std::string text;
  for (const auto& e : errors) text += (text.empty() ? "" : "\n") + e.ToString();
  return InvalidArgumentError(text);
}

Status Conflict(const WorkflowDefinition& def) {
  return AlreadyExistsError("workflow " + def.id + " version " + std::to_string(def.version) +
                            " is already loaded with different content; give it a new version");
}

}  // namespace

const DefinitionRegistry::Entry* DefinitionRegistry::FindLocked(const std::string& workflow,
                                                                std::optional<int> version) const {
  auto it = workflows_.find(workflow);
  if (it == workflows_.end() || it->second.empty()) return nullptr;
  if (!version) return &it->second.rbegin()->second;
  auto v = it->second.find(*version);
  return v == it->second.end() ? nullptr : &v->second;
}

Status DefinitionRegistry::Check(const WorkflowDefinition& def) const {
  std::vector<DefinitionError> errors = ValidateDefinition(def);
  if (!errors.empty()) return InvalidDefinition(errors);
  std::shared_lock lock(mu_);
  const Entry* e = FindLocked(def.id, def.version);
  if (e != nullptr && e->compiled->def.source != def.source) return Conflict(def);
  return OkStatus();
}

Result<bool> DefinitionRegistry::Load(const WorkflowDefinition& def, const std::string& origin) {
  std::vector<DefinitionError> errors = ValidateDefinition(def);
  if (!errors.empty()) return InvalidDefinition(errors);
  ROGATORY_ASSIGN_OR_RETURN(auto compiled, CompileWorkflow(def));
  std::unique_lock lock(mu_);
  if (const Entry* e = FindLocked(def.id, def.version)) {
    if (e->compiled->def.source == def.source) return false;
    return Conflict(def);
  }
  // Recorded under the lock, so two loads of one version on this node cannot both record.
  ROGATORY_RETURN_IF_ERROR(store_.SaveDefinition(def, origin));
  workflows_[def.id].emplace(def.version, Entry{std::move(compiled), origin, clock_.Now()});
  return true;
}

std::vector<WorkflowSummary> DefinitionRegistry::List() const {
  std::shared_lock lock(mu_);
  std::map<std::string, const std::map<int, Entry>*> sorted;
  for (const auto& [id, versions] : workflows_) sorted.emplace(id, &versions);
  std::vector<WorkflowSummary> out;
  for (const auto& [id, versions] : sorted) {
    for (const auto& [version, e] : *versions) {
      out.push_back({id, version, e.compiled->def.title, e.origin, e.loaded_at});
    }
  }
  return out;
}

Result<const CompiledWorkflow*> DefinitionRegistry::Find(const std::string& workflow,
                                                         std::optional<int> version) {
  {
    std::shared_lock lock(mu_);
    if (const Entry* e = FindLocked(workflow, version)) return e->compiled.get();
  }
  // A miss: another node may have recorded it (deployed a moment ago, not yet synced here).
  Result<StoredDefinition> stored = store_.GetStoredDefinition(workflow, version);
  if (stored.ok()) {
    Status added = AddStored(*stored);
    if (!added.ok() && added.code() != StatusCode::kAlreadyExists) return added;
    std::shared_lock lock(mu_);
    if (const Entry* e = FindLocked(workflow, version)) return e->compiled.get();
  } else if (stored.status().code() != StatusCode::kNotFound) {
    return stored.status();
  }
  if (!version) return NotFoundError("unknown workflow '" + workflow + "'");
  std::shared_lock lock(mu_);
  if (FindLocked(workflow, std::nullopt) == nullptr) {
    return NotFoundError("unknown workflow '" + workflow + "'");
  }
  return NotFoundError("workflow '" + workflow + "' has no version " + std::to_string(*version));
}

Status DefinitionRegistry::AddStored(const StoredDefinition& stored) {
  const Key key{stored.workflow, stored.version};
  {
    std::shared_lock lock(mu_);
    if (refused_.count(key) != 0) {
      return FailedPreconditionError("workflow " + stored.workflow + " version " +
                                     std::to_string(stored.version) +
                                     " in the store is not valid for this node");
    }
  }
  const std::string name = "store:" + stored.workflow + ".v" + std::to_string(stored.version);
  LoadReport report = ParseDefinition(stored.source, name);
  Status problem;
  if (!report.ok()) {
    problem = InvalidArgumentError(report.ErrorText());
  } else if (report.definitions.size() != 1 || report.definitions[0].id != stored.workflow ||
             report.definitions[0].version != stored.version) {
    problem = InvalidArgumentError(name + ": the stored text defines another workflow or version");
  }
  std::unique_ptr<const CompiledWorkflow> compiled;
  if (problem.ok()) {
    Result<std::unique_ptr<const CompiledWorkflow>> c = CompileWorkflow(report.definitions[0]);
    if (c.ok()) {
      compiled = std::move(*c);
    } else {
      problem = c.status();
    }
  }
  std::unique_lock lock(mu_);
  if (!problem.ok()) {
    refused_.insert(key);
    return problem;
  }
  if (FindLocked(stored.workflow, stored.version) != nullptr) return AlreadyExistsError(name);
  workflows_[stored.workflow].emplace(stored.version,
                                      Entry{std::move(compiled), stored.origin, clock_.Now()});
  return OkStatus();
}

Result<DefinitionSync> DefinitionRegistry::Sync() {
  ROGATORY_ASSIGN_OR_RETURN(std::vector<StoredDefinition> listed, store_.ListDefinitions());
  DefinitionSync out;
  for (const StoredDefinition& d : listed) {
    {
      std::shared_lock lock(mu_);
      if (FindLocked(d.workflow, d.version) != nullptr || refused_.count({d.workflow, d.version})) {
        continue;
      }
    }
    ROGATORY_ASSIGN_OR_RETURN(StoredDefinition full,
                              store_.GetStoredDefinition(d.workflow, d.version));
    Status s = AddStored(full);
    if (s.ok()) {
      ++out.loaded;
    } else if (s.code() != StatusCode::kAlreadyExists) {
      out.refused.push_back("workflow " + d.workflow + " version " + std::to_string(d.version) +
                            ": " + s.message());
    }
  }
  return out;
}

}  // namespace rogatory
