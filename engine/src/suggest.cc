#include "suggest.h"

#include <algorithm>
#include <cstddef>

namespace rogatory {

size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t bound) {
  const size_t over = bound + 1;
  const size_t m = a.size();
  const size_t n = b.size();
  if ((m > n ? m - n : n - m) > bound) return over;
  // Only cells within `bound` of the diagonal can hold a distance <= bound, so each row is
  // computed over that band alone: O((m + n) * bound) time instead of O(m * n), and three
  // rows of memory. Cells just outside the band read as `over`; every cell is capped there.
  std::vector<size_t> rows(3 * (n + 1), over);
  size_t* before = rows.data();        // row i - 2
  size_t* previous = before + n + 1;   // row i - 1
  size_t* current = previous + n + 1;  // row i
  for (size_t j = 0; j <= std::min(n, bound); ++j) previous[j] = j;
  for (size_t i = 1; i <= m; ++i) {
    const size_t lo = i > bound ? i - bound : 1;
    const size_t hi = std::min(n, i + bound);
    current[lo - 1] = lo == 1 && i <= bound ? i : over;
    size_t row_min = current[lo - 1];
    for (size_t j = lo; j <= hi; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d = std::min(d, before[j - 2] + 1);
      }
      current[j] = std::min(d, over);
      row_min = std::min(row_min, current[j]);
    }
    if (hi < n) current[hi + 1] = over;
    if (row_min == over) return over;  // every path through this row is already too long
    size_t* recycled = before;
    before = previous;
    previous = current;
    current = recycled;
  }
  return previous[n];
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  // Longer words tolerate more edits: "to" must not suggest "on", nor "c" suggest "a".
  const size_t limit = word.size() <= 2 ? 0 : word.size() <= 4 ? 1 : 2;
  if (limit == 0) return std::string();  // only the word itself would be within 0 edits
  const std::string* best = nullptr;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    if (c == word) continue;
    // Bounded by the best so far: a candidate that cannot beat it costs a length check.
    size_t distance = BoundedEditDistance(word, c, best_distance - 1);
    if (distance < best_distance) {
      best = &c;
      best_distance = distance;
    }
  }
  return best == nullptr ? std::string() : " (did you mean '" + *best + "'?)";
}

}  // namespace rogatory
