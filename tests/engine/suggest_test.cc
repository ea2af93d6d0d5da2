// "Did you mean" hints: the banded edit distance agrees with the textbook one, and a long word
// costs a length check, not a table the size of the word times each candidate.
#include "suggest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace rogatory {
namespace {

// The full (m+1) x (n+1) table, transpositions included: the reference the band must match.
size_t FullEditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

TEST(BoundedEditDistanceTest, AgreesWithTheFullTableOnRandomWords) {
  std::mt19937 random(20261203);
  // A three-letter alphabet makes near misses, transpositions and ties common.
  auto word = [&random](size_t max_length) {
    std::string w(std::uniform_int_distribution<size_t>(0, max_length)(random), 'a');
    for (char& c : w) c = static_cast<char>('a' + random() % 3);
    return w;
  };
  for (int round = 0; round < 20000; ++round) {
    const std::string a = word(9);
    std::string b = a;
    // Half the pairs are the first word with a few edits, the rest unrelated.
    if (round % 2 == 0) {
      for (int edits = random() % 4; edits > 0 && !b.empty(); --edits) {
        const size_t at = random() % b.size();
        switch (random() % 3) {
          case 0:
            b.erase(at, 1);
            break;
          case 1:
            b.insert(at, 1, static_cast<char>('a' + random() % 3));
            break;
          default:
            if (at + 1 < b.size()) std::swap(b[at], b[at + 1]);
        }
      }
    } else {
      b = word(9);
    }
    const size_t full = FullEditDistance(a, b);
    for (size_t bound = 0; bound <= 4; ++bound) {
      ASSERT_EQ(BoundedEditDistance(a, b, bound), std::min(full, bound + 1))
          << "'" << a << "' to '" << b << "' within " << bound;
    }
  }
}

TEST(BoundedEditDistanceTest, EdgeCases) {
  EXPECT_EQ(BoundedEditDistance("", "", 2), 0u);
  EXPECT_EQ(BoundedEditDistance("", "ab", 2), 2u);
  EXPECT_EQ(BoundedEditDistance("abc", "", 2), 3u);  // over the bound: bound + 1
  EXPECT_EQ(BoundedEditDistance("title", "titel", 2), 1u);
  EXPECT_EQ(BoundedEditDistance("title", "title", 0), 0u);
  EXPECT_EQ(BoundedEditDistance("title", "tilte", 0), 1u);
  const std::string long_word(100000, 'x');
  std::string near = long_word;
  near[50000] = 'y';
  EXPECT_EQ(BoundedEditDistance(long_word, near, 2), 1u);
  EXPECT_EQ(BoundedEditDistance(long_word, "x", 2), 3u);
}

TEST(DidYouMeanTest, SuggestsTheClosestCandidateWithinTheWordsTolerance) {
  const std::vector<std::string> keys = {"title", "phase", "states", "transitions", "fields"};
  EXPECT_EQ(DidYouMean("titel", keys), " (did you mean 'title'?)");
  EXPECT_EQ(DidYouMean("transitons", keys), " (did you mean 'transitions'?)");
  EXPECT_EQ(DidYouMean("stat", keys), "");   // four letters tolerate one edit; this is two
  EXPECT_EQ(DidYouMean("to", {"on"}), "");   // two letters tolerate none
  EXPECT_EQ(DidYouMean("title", keys), "");  // the word itself is no hint
  // The first of equally close candidates wins.
  EXPECT_EQ(DidYouMean("bat", {"cat", "hat"}), " (did you mean 'cat'?)");
}

TEST(DidYouMeanTest, AWordOfAMegabyteAgainstManyLongCandidatesStaysCheap) {
  // Each candidate is as long as the word and differs in three places: too far for a hint.
  // With the full table this is 20 tables of 10^12 cells; the band makes it a few reads each.
  const std::string word(1 << 20, 'q');
  std::vector<std::string> candidates(20, word);
  for (size_t i = 0; i < candidates.size(); ++i) {
    for (size_t k = 1; k <= 3; ++k) candidates[i][(i + 1) * k * 1000] = 'r';
  }
  EXPECT_EQ(DidYouMean(word, candidates), "");
  candidates[7][8000] = 'q';  // one difference undone: two edits, within a long word's two
  EXPECT_EQ(DidYouMean(word, candidates), " (did you mean '" + candidates[7] + "'?)");
}

}  // namespace
}  // namespace rogatory
