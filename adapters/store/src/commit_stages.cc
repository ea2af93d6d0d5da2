#include "commit_stages.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace rogatory::store_internal {
namespace {

const char* const kNames[] = {"apply",      "queue",      "gather",   "acquire",
                              "begin",      "statements", "commit",   "checkpoint",
                              "busy_sleep", "read",       "catch_up", "wake"};
static_assert(sizeof kNames / sizeof kNames[0] == static_cast<size_t>(CommitStage::kCount));

CommitStages* Create() {
  const char* path = std::getenv("ROGATORY_COMMIT_STAGES");
  if (path == nullptr || *path == '\0') return nullptr;
  static CommitStages* const stages = new CommitStages(path);  // lives as long as the process
  std::atexit([] { stages->WriteReport(); });
  return stages;
}

double Ms(uint32_t micros) { return micros / 1000.0; }

}  // namespace

CommitStages* CommitStages::Get() {
  static CommitStages* const stages = Create();
  return stages;
}

void CommitStages::Record(CommitStage stage, Clock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  const auto clamped = static_cast<uint32_t>(std::clamp<int64_t>(us, 0, UINT32_MAX));
  std::lock_guard lock(mu_);
  micros_[static_cast<size_t>(stage)].push_back(clamped);
}

std::string CommitStages::Report() const {
  std::array<std::vector<uint32_t>, static_cast<size_t>(CommitStage::kCount)> copy;
  {
    std::lock_guard lock(mu_);
    copy = micros_;
  }
  std::string out =
      "stage           count     p50_ms     p99_ms   p99.9_ms     max_ms   total_ms\n";
  char line[160];
  for (size_t i = 0; i < copy.size(); ++i) {
    std::vector<uint32_t>& v = copy[i];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
      return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
    };
    double total = 0;
    for (uint32_t us : v) total += us;
    std::snprintf(line, sizeof line, "%-12s %8zu %10.3f %10.3f %10.3f %10.3f %10.1f\n", kNames[i],
                  v.size(), Ms(at(0.5)), Ms(at(0.99)), Ms(at(0.999)), Ms(v.back()), total / 1000);
    out += line;
  }
  return out;
}

void CommitStages::WriteReport() const {
  if (FILE* f = std::fopen(path_.c_str(), "a")) {
    std::fputs(Report().c_str(), f);
    std::fclose(f);
  }
}

}  // namespace rogatory::store_internal
