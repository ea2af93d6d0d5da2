// `rogatory audit verify [--config FILE] [--jobs N]`: re-checks every request's hash-chained
// history in the configured store (CONTRACT §3). The walk itself is rogatory::AuditHistories
// (adapters/store); this file only reads the config, opens the store and reports.
#include <iostream>
#include <string>
#include <string_view>

#include "commands.h"
#include "config.h"
#include "rogatory/audit.h"
#include "rogatory/sql_store.h"

namespace rogatory::cli {
namespace {

constexpr int kOk = 0;
constexpr int kBroken = 1;
constexpr int kUsage = 2;
constexpr int kCannotCheck = 3;

void PrintAuditUsage(std::ostream& out) {
  out << "usage: rogatory audit verify [--config FILE] [--jobs N]\n\n"
         "Re-checks every request's hash-chained history in the configured store (the\n"
         "`store:` key of the config, or $ROGATORY_STORE).\n\n"
         "  --jobs N  threads checking at once (1-64; default: one per CPU): on SQLite, parts\n"
         "            of the history read in one pass; else, and to name a broken link, pages of\n"
         "            500 requests. The verdict is the same for every N.\n\n"
         "exit status: 0 every chain verifies; 1 a chain is broken (the first broken link is\n"
         "named: request id and history seq); 2 usage or config error; 3 the store could not\n"
         "be read.\n";
}

// A --jobs value: digits only, 1 to 64.
bool ParseJobs(const std::string& text, int* jobs) {
  if (text.empty() || text.size() > 2) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  const int n = std::stoi(text);
  if (n < 1 || n > 64) return false;
  *jobs = n;
  return true;
}

}  // namespace

int RunAudit(int argc, char** argv) {
  std::string config_path;
  bool verify = false;
  AuditOptions options_audit;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintAuditUsage(std::cout);
      return kOk;
    }
    if (arg == "verify" && !verify) {
      verify = true;
    } else if ((arg == "--jobs" && i + 1 < argc) || arg.rfind("--jobs=", 0) == 0) {
      const std::string value =
          arg == "--jobs" ? std::string(argv[++i]) : std::string(arg.substr(7));
      if (!ParseJobs(value, &options_audit.workers)) {
        std::cerr << "rogatory audit: --jobs takes a whole number from 1 to 64, not '" << value
                  << "'\n";
        return kUsage;
      }
    } else if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = std::string(arg.substr(9));
    } else {
      std::cerr << "rogatory audit: unexpected argument '" << arg << "'\n";
      PrintAuditUsage(std::cerr);
      return kUsage;
    }
  }
  if (!verify) {
    PrintAuditUsage(std::cerr);
    return kUsage;
  }
  ConfigResult config = LoadConfig(config_path);
  if (!config.ok()) {
    for (const std::string& e : config.errors) std::cerr << e << "\n";
    return kUsage;
  }
  const std::string& url = config.config.store;
  // The audit only reads: it neither creates a missing database nor migrates one.
  SqlStoreOptions options;
  options.create_if_missing = false;
  options.migrate_schema = false;
  // PostgreSQL: every history read along its key (SqlStoreOptions::pg_history_walk).
  options.pg_history_walk = true;
  Result<std::unique_ptr<Store>> store = OpenStore(url, options);
  if (!store.ok()) {
    std::cerr << "rogatory audit: cannot open store " << RedactStoreUrl(url) << ": "
              << store.status().ToString() << "\n";
    return kCannotCheck;
  }
  Result<AuditReport> report = AuditHistories(**store, options_audit);
  if (!report.ok()) {
    std::cerr << "rogatory audit: " << report.status().ToString() << "\n";
    return kCannotCheck;
  }
  if (report->broken) {
    const BrokenLink& b = *report->broken;
    std::cerr << "rogatory audit: BROKEN: request " << b.request_id << " history seq " << b.seq
              << ": " << b.message << "\n";
    std::cout << "broken request=" << b.request_id << " seq=" << b.seq << "\n";
    return kBroken;
  }
  std::cout << "ok: " << report->requests << " requests, " << report->entries
            << " history entries verified\n";
  return kOk;
}

}  // namespace rogatory::cli
