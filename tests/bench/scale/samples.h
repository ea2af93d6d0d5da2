// Latency samples of one measurement, and the table row the scale benchmark prints for it.
#ifndef ROGATORY_BENCH_SCALE_SAMPLES_H_
#define ROGATORY_BENCH_SCALE_SAMPLES_H_

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace rogatory::scale {

// Milliseconds per call.
class Samples {
 public:
  void Add(double ms) { ms_.push_back(ms); }
  size_t size() const { return ms_.size(); }
  // The q-quantile (0..1) by nearest rank; 0 when empty.
  double Quantile(double q) const {
    if (ms_.empty()) return 0;
    std::vector<double> sorted = ms_;
    std::sort(sorted.begin(), sorted.end());
    const size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(rank, sorted.size() - 1)];
  }

 private:
  std::vector<double> ms_;
};

// Times one call of `f` in milliseconds, adding it to `samples`; returns what f returned.
template <typename F>
auto Timed(Samples& samples, F&& f) {
  const auto start = std::chrono::steady_clock::now();
  auto result = f();
  samples.Add(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return result;
}

// One row of the results table: `| name | calls | p50 | p99 | target | verdict |`.
// target_ms <= 0: no target.
inline void PrintRow(const std::string& name, const Samples& s, double target_ms) {
  const double p99 = s.Quantile(0.99);
  std::string verdict = "—";
  if (target_ms > 0) verdict = p99 <= target_ms ? "met" : "**missed**";
  std::printf(
      "| %s | %zu | %.2f ms | %.2f ms | %s | %s |\n", name.c_str(), s.size(), s.Quantile(0.5), p99,
      target_ms > 0 ? ("≤ " + std::to_string(static_cast<int>(target_ms)) + " ms").c_str() : "—",
      verdict.c_str());
  std::fflush(stdout);
}

}  // namespace rogatory::scale

#endif  // ROGATORY_BENCH_SCALE_SAMPLES_H_
