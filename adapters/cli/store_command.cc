// `rogatory store copy`: copies a whole store into an empty one of either kind (CopyStore,
// adapters/store), then opens the copy as a store and re-checks the hash chains of a sample of
// its requests (or all of them with --verify-all).
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "commands.h"
#include "config.h"
#include "rogatory/audit.h"
#include "rogatory/history.h"
#include "rogatory/sql_store.h"
#include "rogatory/store_copy.h"

namespace rogatory::cli {
namespace {

constexpr int kOk = 0;
constexpr int kCheckFailed = 1;
constexpr int kUsage = 2;
constexpr int kCannotCopy = 3;
constexpr int kRefused = 4;

void PrintStoreUsage(std::ostream& out) {
  out << "usage: rogatory store copy [--from URL | --config FILE] --to URL [--verify-all]\n"
         "                           [--batch ROWS] [--sample N]\n\n"
         "Copies a whole store (every table of the schema: definitions, requests, history,\n"
         "clocks, parties, subscriptions, deliveries, idempotency keys, statistics) into an\n"
         "EMPTY store: SQLite to PostgreSQL, PostgreSQL to SQLite, or SQLite to SQLite. URLs as\n"
         "in the config's `store:` (sqlite:///path/rogatory.db, postgresql://...); without\n"
         "--from the source is the config's store (--config FILE, else $ROGATORY_CONFIG or the\n"
         "default config, and $ROGATORY_STORE), as for `rogatory audit verify`. Ids, hash chains "
         "and id sequences are kept. The\n"
         "source is only read; stop the servers writing to it first. Both stores must be at\n"
         "this binary's schema version. Progress goes to stderr.\n\n"
         "Afterwards each table's row count is compared, the copy is opened as a store and the\n"
         "hash chains of N requests spread over it (--sample, default 1000) are re-checked;\n"
         "--verify-all checks every chain, as `rogatory audit verify` does.\n\n"
         "exit status: 0 copied and checked; 1 copied but a check failed; 2 usage error or bad\n"
         "URL; 3 a store could not be opened or read, or the copy failed part-way (the target\n"
         "then holds a partial copy: drop it); 4 refused, nothing written: the target is not\n"
         "empty, or a store is at another schema version.\n";
}

int ExitFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return kUsage;
    case StatusCode::kFailedPrecondition:
      return kRefused;
    default:
      return kCannotCopy;
  }
}

// Re-checks one request's chain and that its row agrees with the last entry ("" when it does).
std::string CheckRequest(Store& store, const std::string& id) {
  Result<Request> request = store.GetRequest(id);
  if (!request.ok()) return request.status().ToString();
  Result<std::vector<HistoryEntry>> history = store.GetHistory(id);
  if (!history.ok()) return history.status().ToString();
  if (history->empty()) return "no history";
  if (Status chain = VerifyHistoryChain(*history); !chain.ok()) return chain.ToString();
  const HistoryEntry& last = history->back();
  if (request->revision != last.seq || request->head_hash != last.hash) {
    return "the request row does not match its last history entry";
  }
  return "";
}

}  // namespace

int RunStore(int argc, char** argv) {
  std::string from, to, config_path;
  bool copy = false, verify_all = false;
  StoreCopyOptions options;
  auto number = [](std::string_view text, int* out) {
    // The text must outlive `end`, which points into it.
    const std::string digits(text);
    char* end = nullptr;
    const long v = std::strtol(digits.c_str(), &end, 10);
    if (digits.empty() || end == nullptr || *end != '\0' || v < 0 || v > 10'000'000) return false;
    *out = static_cast<int>(v);
    return true;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      PrintStoreUsage(std::cout);
      return kOk;
    }
    if (arg == "copy" && !copy) {
      copy = true;
    } else if (arg == "--from" && has_value) {
      from = argv[++i];
    } else if (arg == "--to" && has_value) {
      to = argv[++i];
    } else if (arg == "--config" && has_value) {
      config_path = argv[++i];
    } else if (arg == "--verify-all") {
      verify_all = true;
    } else if (arg == "--batch" && has_value && number(argv[i + 1], &options.batch_rows) &&
               options.batch_rows > 0) {
      ++i;
    } else if (arg == "--sample" && has_value && number(argv[i + 1], &options.sample_requests)) {
      ++i;
    } else {
      std::cerr << "rogatory store: unexpected argument '" << arg << "'\n";
      PrintStoreUsage(std::cerr);
      return kUsage;
    }
  }
  if (!copy || to.empty() || (!from.empty() && !config_path.empty())) {
    std::cerr << "rogatory store: "
              << (!copy        ? "name a subcommand (copy)"
                  : to.empty() ? "--to is required"
                               : "give the source as --from URL or --config FILE, not both")
              << "\n";
    PrintStoreUsage(std::cerr);
    return kUsage;
  }
  if (from.empty()) {
    ConfigResult config = LoadConfig(config_path);
    if (!config.ok()) {
      for (const std::string& e : config.errors) std::cerr << e << "\n";
      return kUsage;
    }
    from = config.config.store;
  }
  options.progress = [](const std::string& line) {
    std::cerr << "rogatory store copy: " << line << "\n";
  };
  Result<StoreCopyReport> report = CopyStore(from, to, options);
  if (!report.ok()) {
    std::cerr << "rogatory store copy: " << report.status().message() << "\n";
    return ExitFor(report.status());
  }
  for (const CopiedTable& t : report->tables) {
    std::cout << "copied " << t.table << ": " << t.rows << " rows\n";
  }

  // The copy must open as a store (no migration) and its chains verify.
  SqlStoreOptions open;
  open.create_if_missing = false;
  open.migrate_schema = false;
  Result<std::unique_ptr<Store>> store = OpenStore(to, open);
  if (!store.ok()) {
    std::cerr << "rogatory store copy: the copy does not open as a store: "
              << store.status().ToString() << "\n";
    return kCheckFailed;
  }
  if (verify_all) {
    Result<AuditReport> audit = AuditHistories(**store);
    if (!audit.ok()) {
      std::cerr << "rogatory store copy: audit: " << audit.status().ToString() << "\n";
      return kCannotCopy;
    }
    if (audit->broken) {
      std::cerr << "rogatory store copy: BROKEN in the copy: request " << audit->broken->request_id
                << " history seq " << audit->broken->seq << ": " << audit->broken->message << "\n";
      return kCheckFailed;
    }
    std::cout << "ok: " << audit->requests << " requests, " << audit->entries
              << " history entries verified in the copy\n";
    return kOk;
  }
  for (const std::string& id : report->sample_request_ids) {
    const std::string broken = CheckRequest(**store, id);
    if (!broken.empty()) {
      std::cerr << "rogatory store copy: BROKEN in the copy: request " << id << ": " << broken
                << "\n";
      return kCheckFailed;
    }
  }
  std::cout << "ok: row counts match; " << report->sample_request_ids.size()
            << " sampled requests verified in the copy (--verify-all checks every one)\n";
  return kOk;
}

}  // namespace rogatory::cli
