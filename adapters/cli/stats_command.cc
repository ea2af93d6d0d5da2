// `rogatory stats [--config FILE] [--format table|json|csv] [--workflow W] [--from D] [--to D]`
// and `rogatory stats --rebuild` (CONTRACT §9, docs/statistics.md): the figures GET /v1/stats
// gives an admin, read from the configured store, or the counters recomputed from the histories.
#include <iostream>
#include <string>
#include <string_view>

#include "commands.h"
#include "config.h"
#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/sql_store.h"
#include "workflow_reload.h"

namespace rogatory::cli {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

void PrintStatsUsage(std::ostream& out) {
  out << "usage: rogatory stats [--config FILE] [--format table|json|csv] [--workflow W]\n"
         "                      [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
         "       rogatory stats --rebuild [--config FILE]\n\n"
         "Prints the statistics of every request in the configured store (docs/statistics.md):\n"
         "per workflow and version, counts by state and phase, open, closed, overdue, lapses,\n"
         "outcomes, breakdowns, counterparts and phase durations. --from/--to select requests\n"
         "by their creation day (inclusive). --rebuild recomputes the counters from the\n"
         "histories (needed once for a database made before statistics).\n\n"
         "exit status: 0 done; 1 the store refused (e.g. counters not rebuilt yet); 2 usage or\n"
         "config error.\n";
}

// A CSV field, quoted when it must be (RFC 4180).
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// One line per figure: workflow,version,figure,key,value.
void PrintCsv(const nlohmann::json& report, std::ostream& out) {
  out << "workflow,version,figure,key,value\n";
  for (const nlohmann::json& w : report["workflows"]) {
    const std::string prefix =
        CsvField(w["workflow"].get<std::string>()) + "," + std::to_string(w["version"].get<int>());
    auto row = [&](const std::string& figure, const std::string& key, const nlohmann::json& v) {
      out << prefix << "," << CsvField(figure) << "," << CsvField(key) << "," << CsvField(Text(v))
          << "\n";
    };
    for (const char* k : {"total", "open", "closed", "overdue"}) row(k, "", w[k]);
    for (const char* k : {"by_state", "by_phase", "lapses", "outcomes", "by_counterpart"}) {
      for (auto it = w[k].begin(); it != w[k].end(); ++it) row(k, it.key(), it.value());
    }
    for (auto f = w["breakdowns"].begin(); f != w["breakdowns"].end(); ++f) {
      for (auto it = f.value().begin(); it != f.value().end(); ++it) {
        row("breakdown:" + f.key(), it.key(), it.value());
      }
    }
    for (const nlohmann::json& d : w["durations"]) {
      const std::string pair = d["from"].get<std::string>() + ">" + d["to"].get<std::string>();
      row("duration_count", pair, d["count"]);
      row("duration_median_days", pair, d["median_days"]);
      row("duration_p90_days", pair, d["p90_days"]);
    }
  }
}

void PrintMap(const char* title, const nlohmann::json& m, std::ostream& out) {
  out << "  " << title << ":";
  if (m.empty()) out << " -";
  bool first = true;
  for (auto it = m.begin(); it != m.end(); ++it) {
    out << (first ? " " : ", ") << it.key() << " " << Text(it.value());
    first = false;
  }
  out << "\n";
}

void PrintTable(const nlohmann::json& report, std::ostream& out) {
  out << "requests created " << (report["from"].is_null() ? "any time" : Text(report["from"]))
      << " to " << (report["to"].is_null() ? "now" : Text(report["to"])) << "\n";
  for (const nlohmann::json& w : report["workflows"]) {
    out << "\n"
        << Text(w["workflow"]) << " version " << Text(w["version"]) << ": " << Text(w["total"])
        << " requests, " << Text(w["open"]) << " open, " << Text(w["closed"]) << " closed, "
        << Text(w["overdue"]) << " overdue\n";
    PrintMap("by state", w["by_state"], out);
    PrintMap("by phase", w["by_phase"], out);
    PrintMap("outcomes", w["outcomes"], out);
    PrintMap("lapses", w["lapses"], out);
    for (auto f = w["breakdowns"].begin(); f != w["breakdowns"].end(); ++f) {
      PrintMap(("by " + f.key()).c_str(), f.value(), out);
    }
    PrintMap("by counterpart", w["by_counterpart"], out);
    out << "  days (median / 90th percentile, over n requests):\n";
    for (const nlohmann::json& d : w["durations"]) {
      out << "    " << Text(d["from"]) << " -> " << Text(d["to"]) << ": ";
      if (d["count"].get<int64_t>() == 0) {
        out << "-\n";
      } else {
        out << Text(d["median_days"]) << " / " << Text(d["p90_days"]) << " (n=" << Text(d["count"])
            << ")\n";
      }
    }
  }
}

}  // namespace

int RunStats(int argc, char** argv) {
  std::string config_path, format = "table";
  StatsCall call;
  bool rebuild = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string* into) {
      if (i + 1 >= argc) return false;
      *into = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      PrintStatsUsage(std::cout);
      return kOk;
    }
    bool ok = true;
    if (arg == "--rebuild") {
      rebuild = true;
    } else if (arg == "--config") {
      ok = value(&config_path);
    } else if (arg == "--format") {
      ok = value(&format) && (format == "table" || format == "json" || format == "csv");
    } else if (arg == "--workflow") {
      ok = value(&call.workflow);
    } else if (arg == "--from") {
      ok = value(&call.from) && IsValidDate(call.from);
    } else if (arg == "--to") {
      ok = value(&call.to) && IsValidDate(call.to);
    } else {
      ok = false;
    }
    if (!ok) {
      std::cerr << "rogatory stats: bad argument '" << arg << "'"
                << (i < argc && arg != argv[i] ? std::string(" ") + argv[i] : std::string())
                << "\n";
      PrintStatsUsage(std::cerr);
      return kUsage;
    }
  }
  ConfigResult config = LoadConfig(config_path);
  if (!config.ok()) {
    for (const std::string& e : config.errors) std::cerr << e << "\n";
    return kUsage;
  }
  LoadReport defs = LoadDefinitions({config.config.workflows});
  if (!defs.ok()) {
    std::cerr << defs.ErrorText();
    return kUsage;
  }
  // The store is migrated like `serve` does (schema 7 adds the statistics tables).
  SqlStoreOptions store_options;
  store_options.create_if_missing = false;
  Result<std::unique_ptr<Store>> opened = OpenStore(config.config.store, store_options);
  if (!opened.ok()) {
    std::cerr << "rogatory stats: cannot open store " << RedactStoreUrl(config.config.store) << ": "
              << opened.status().ToString() << "\n";
    return kFailed;
  }
  EngineOptions options;
  options.store = std::move(*opened);
  options.time_zone = config.config.time_zone;
  for (const AuthorityConfig& a : config.config.authorities) {
    options.authorities.push_back({a.id, a.name, a.country});
  }
  Engine engine(std::move(options));
  for (const WorkflowDefinition& def : defs.definitions) {
    Status s = engine.LoadDefinition(def);
    if (!s.ok()) {
      std::cerr << "rogatory stats: " << def.source_name << ": " << s.ToString() << "\n";
      return kFailed;
    }
  }
  SyncStoredDefinitions(engine);
  if (rebuild) {
    Result<int64_t> n = engine.RebuildStats();
    if (!n.ok()) {
      std::cerr << "rogatory stats: rebuild failed: " << n.status().ToString() << "\n";
      return kFailed;
    }
    std::cout << "rebuilt the statistics of " << *n << " requests\n";
    return kOk;
  }
  // The operator at the console reads the database itself: every request, as an auditor.
  const Actor admin{"cli", {"auditor"}};
  Result<nlohmann::json> report = engine.Stats(call, admin);
  if (!report.ok()) {
    std::cerr << "rogatory stats: " << report.status().ToString() << "\n";
    return kFailed;
  }
  if (format == "json") {
    std::cout << report->dump(2) << "\n";
  } else if (format == "csv") {
    PrintCsv(*report, std::cout);
  } else {
    PrintTable(*report, std::cout);
  }
  return kOk;
}

}  // namespace rogatory::cli
