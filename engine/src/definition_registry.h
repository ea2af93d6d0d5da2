// The engine's loaded workflow definitions: compiled once per (workflow, version), read on every
// step, added to while the engine runs (files at start and on reload, `POST /v1/workflows`, and
// definitions other nodes recorded in the shared store).
#ifndef ROGATORY_ENGINE_SRC_DEFINITION_REGISTRY_H_
#define ROGATORY_ENGINE_SRC_DEFINITION_REGISTRY_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiled_workflow.h"
#include "rogatory/engine.h"
#include "rogatory/status.h"
#include "rogatory/store.h"
#include "rogatory/time.h"

namespace rogatory {

class DefinitionRegistry {
 public:
  DefinitionRegistry(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Validates and compiles `def`, records it in the store with `origin` ("file:PATH",
  // "api:ACTOR", "code"), and makes it available. Returns true when it was new on this node,
  // false when the identical text was loaded before. InvalidArgument lists every problem;
  // AlreadyExists when this (workflow, version) is loaded or recorded with a different text.
  Result<bool> Load(const WorkflowDefinition& def, const std::string& origin);

  // What Load would answer, without loading or recording anything (store conflicts aside).
  Status Check(const WorkflowDefinition& def) const;

  // Every loaded version, ordered by workflow then version.
  std::vector<WorkflowSummary> List() const;

  // The compiled workflow. On a miss asks the store, so a version another node recorded is
  // usable at once. NotFound if neither has it. The pointer stays valid for the registry's
  // lifetime: compiled workflows are never unloaded or replaced.
  Result<const CompiledWorkflow*> Find(const std::string& workflow, std::optional<int> version);

  // Loads every definition the store holds that this node has not loaded.
  Result<DefinitionSync> Sync();

 private:
  struct Entry {
    std::unique_ptr<const CompiledWorkflow> compiled;
    std::string origin;
    TimePoint loaded_at;
  };
  using Key = std::pair<std::string, int>;

  // Looks up a loaded version; nullptr when absent. REQUIRES: mu_ held.
  const Entry* FindLocked(const std::string& workflow, std::optional<int> version) const;
  // Parses, validates and adds a definition read from the store (not recorded again).
  Status AddStored(const StoredDefinition& stored);

  Store& store_;
  const Clock& clock_;
  // Readers (every step) share it; adding a version takes it exclusively, briefly.
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::map<int, Entry>> workflows_;  // GUARDED_BY(mu_)
  std::set<Key> refused_;  // stored versions this binary cannot load; GUARDED_BY(mu_)
};

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_DEFINITION_REGISTRY_H_
