#include "workflow_reload.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "rogatory/definition_loader.h"

namespace rogatory::cli {

int ReloadWorkflowFolder(Engine& engine, const std::string& folder,
                         const DefinitionLimits& limits) {
  LoadReport report = LoadDefinitions({folder}, limits);
  // Checked as a whole first: a reload with any bad file changes nothing.
  std::vector<std::string> problems;
  for (const DefinitionError& e : report.errors) problems.push_back(e.ToString());
  for (const WorkflowDefinition& def : report.definitions) {
    Status s = engine.CheckDefinition(def);
    if (!s.ok()) problems.push_back(def.source_name + ": " + s.message());
  }
  if (!problems.empty()) {
    for (const std::string& p : problems) spdlog::error("reload: {}", p);
    spdlog::error("reload of {} refused: {} problem(s); nothing changed", folder, problems.size());
    return -1;
  }
  int added = 0;
  for (const WorkflowDefinition& def : report.definitions) {
    const size_t before = engine.ListWorkflows().size();
    Status s = engine.LoadDefinition(def);
    if (!s.ok()) {  // lost a race with a deployment of the same version: keep the rest
      spdlog::error("reload: {} version {} ({}): {}", def.id, def.version, def.source_name,
                    s.ToString());
      continue;
    }
    if (engine.ListWorkflows().size() > before) {
      ++added;
      spdlog::info("reload: loaded {} version {} from {}", def.id, def.version, def.source_name);
    }
  }
  spdlog::info("reload of {}: {} new definition(s), {} unchanged", folder, added,
               report.definitions.size() - static_cast<size_t>(added));
  return added;
}

bool SyncStoredDefinitions(Engine& engine) {
  Result<DefinitionSync> sync = engine.SyncDefinitions();
  if (!sync.ok()) {
    spdlog::warn("definitions: cannot read the store: {}", sync.status().ToString());
    return false;
  }
  for (const std::string& refused : sync->refused) {
    spdlog::error("definitions: the store holds {}; not loaded", refused);
  }
  if (sync->loaded > 0) {
    spdlog::info("definitions: loaded {} version(s) recorded by other nodes", sync->loaded);
  }
  return true;
}

void DefinitionPoller::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
      lock.unlock();
      SyncStoredDefinitions(engine_);
      lock.lock();
    }
  });
}

void DefinitionPoller::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace rogatory::cli
