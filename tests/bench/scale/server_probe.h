// The out-of-process half of the scale benchmark: the real `rogatory serve` started on the
// benchmark's database (start time, RSS, API calls over loopback HTTP) and the real
// `rogatory audit verify` timed on it.
#ifndef ROGATORY_BENCH_SCALE_SERVER_PROBE_H_
#define ROGATORY_BENCH_SCALE_SERVER_PROBE_H_

#include <map>
#include <string>
#include <vector>

#include "rogatory/status.h"
#include "scale/samples.h"

namespace rogatory::scale {

struct ServerConfig {
  std::string rogatory;            // the `rogatory` binary
  std::string store_url;           // the benchmark's database
  std::string workflows_dir;       // the shipped workflows
  std::vector<std::string> roles;  // the token's roles
  std::string dir;                 // where the config and the server's log go
};

// Writes the config file (a free loopback port, one bearer token); returns its path.
Result<std::string> WriteServerConfig(const ServerConfig& config, int* port);

struct ServerRun {
  double start_ms = 0;                   // exec until /v1/health answers 200
  long rss_start_kb = 0;                 // VmRSS then
  long rss_after_kb = 0;                 // VmRSS after the API calls
  std::map<std::string, Samples> calls;  // by route
};

// Starts `rogatory serve --config PATH`, measures its start, makes `calls` GETs of each kind
// (list pages, get, history, events of `ids`) over one keep-alive connection, then stops it
// (SIGTERM). Internal error if it does not start or any answer is not 200.
Result<ServerRun> ProbeServer(const ServerConfig& config, const std::string& config_path, int port,
                              const std::vector<std::string>& ids,
                              const std::vector<std::string>& workflows, int calls);

// Runs `rogatory audit verify --config PATH`; returns its wall time in seconds and its output
// line (`ok: N requests, M history entries verified`). Internal error unless it exits 0.
Result<double> TimeAuditVerify(const ServerConfig& config, const std::string& config_path,
                               std::string* output);

}  // namespace rogatory::scale

#endif  // ROGATORY_BENCH_SCALE_SERVER_PROBE_H_
