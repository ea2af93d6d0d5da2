// "Did you mean ...?" hints for misspelt keys and names in workflow definitions.
#ifndef ROGATORY_ENGINE_SRC_SUGGEST_H_
#define ROGATORY_ENGINE_SRC_SUGGEST_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rogatory {

// The edit distance between `a` and `b` (Levenshtein, with a transposition of neighbours
// counting as one edit) when it is at most `bound`, otherwise `bound + 1`. Its time grows with
// the words' length times `bound`, so a long word costs no more than reading it.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t bound);

// " (did you mean 'phase'?)" when one of `candidates` is within a small edit distance of
// `word` (the closest, the first of equals), or "" when none is.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_SUGGEST_H_
