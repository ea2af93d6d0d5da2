// "Did you mean ...?" hints for misspelt keys and names in workflow definitions.
#ifndef ROGATORY_ENGINE_SRC_SUGGEST_H_
#define ROGATORY_ENGINE_SRC_SUGGEST_H_

#include <string>
#include <string_view>
#include <vector>

namespace rogatory {

// " (did you mean 'phase'?)" when one of `candidates` is within a small edit distance of
// `word` (the closest, the first of equals), or "" when none is.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace rogatory

#endif  // ROGATORY_ENGINE_SRC_SUGGEST_H_
