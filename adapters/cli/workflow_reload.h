// Definitions that arrive while `rogatory serve` runs: the `workflows:` folder reloaded on
// SIGHUP (all or nothing), and a poll of the store that picks up what other nodes were given.
#ifndef ROGATORY_ADAPTERS_CLI_WORKFLOW_RELOAD_H_
#define ROGATORY_ADAPTERS_CLI_WORKFLOW_RELOAD_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"

namespace rogatory::cli {

// Reads every definition under `folder` and, only when all of them are valid and none changes
// the text of a version already loaded, loads the new ones. Logs what it did, or every problem
// (then nothing changes). Returns the number of versions it added, or -1 on a problem.
int ReloadWorkflowFolder(Engine& engine, const std::string& folder,
                         const DefinitionLimits& limits = {});

// Loads what other nodes recorded in the store (Engine::SyncDefinitions) and logs it: each new
// version at info, each one this node cannot load once at error. Returns false when the store
// could not be read (logged as a warning).
bool SyncStoredDefinitions(Engine& engine);

// Calls SyncStoredDefinitions every `period` on a thread of its own, from Start until Stop.
class DefinitionPoller {
 public:
  DefinitionPoller(Engine& engine, std::chrono::milliseconds period)
      : engine_(engine), period_(period) {}
  ~DefinitionPoller() { Stop(); }
  DefinitionPoller(const DefinitionPoller&) = delete;
  DefinitionPoller& operator=(const DefinitionPoller&) = delete;

  void Start();
  // Returns once the thread no longer touches the engine. Idempotent.
  void Stop();

 private:
  Engine& engine_;
  const std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace rogatory::cli

#endif  // ROGATORY_ADAPTERS_CLI_WORKFLOW_RELOAD_H_
