// The audit's one-pass check (adapters/store/src/chain_ledger.h): SipHash-2-4 against the
// reference vectors, and the ledger balanced by intact chains in any order and by nothing else.
#include "chain_ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "rogatory/history.h"
#include "siphash.h"

namespace rogatory::store_internal {
namespace {

// Key 00 01 .. 0f and messages 00 01 .. (n-1), from the SipHash paper and the reference
// implementation's vectors.h.
uint64_t ReferenceSipHash(size_t n) {
  SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  std::string message;
  for (size_t i = 0; i < n; ++i) message.push_back(static_cast<char>(i));
  return SipHash24(key, message.data(), message.size());
}

TEST(SipHashTest, WideOutputMatchesTheReferenceVector) {
  // vectors_sip128[0] of the reference implementation: the empty message.
  SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  const SipHash128 out = SipHash24Wide(key, "", 0);
  EXPECT_EQ(out.first, 0xe6a825ba047f81a3ULL);   // a3 81 7f 04 ba 25 a8 e6
  EXPECT_EQ(out.second, 0x930255c71472f66dULL);  // 6d f6 72 14 c7 55 02 93
}

TEST(SipHashTest, MatchesTheReferenceVectors) {
  EXPECT_EQ(ReferenceSipHash(0), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(ReferenceSipHash(8), 0x93f5f5799a932462ULL);
  EXPECT_EQ(ReferenceSipHash(15), 0xa129ca6149be45e5ULL);  // the paper's worked example
}

// A link of a chain: request id, seq, prev hash, hash.
struct Link {
  std::string id;
  int64_t seq;
  std::string prev, hash;
};

struct Head {
  std::string id;
  int64_t revision;
  std::string head_hash;
};

// An intact chain of `n` entries for `id`, hashes "<id>-h<seq>".
std::vector<Link> Chain(const std::string& id, int n) {
  std::vector<Link> out;
  std::string prev = kGenesisHash;
  for (int s = 1; s <= n; ++s) {
    std::string hash = id + "-h" + std::to_string(s);
    out.push_back(Link{id, s, prev, hash});
    prev = hash;
  }
  return out;
}

class ChainLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [id, n] : {std::pair<std::string, int>{"a", 5}, {"b", 1}, {"c", 3}}) {
      std::vector<Link> chain = Chain(id, n);
      links_.insert(links_.end(), chain.begin(), chain.end());
      heads_.push_back(Head{id, n, chain.back().hash});
    }
  }

  // Whether one ledger of heads and `workers` ledgers of links, merged, balance; the links in
  // an order of their own each time.
  bool Balanced(int workers = 1, unsigned shuffle = 1) {
    const ChainLedger::Keys keys = ChainLedger::DrawKeys();
    ChainLedger total(keys);
    for (const Head& h : heads_) total.AddRequest(h.id, h.revision, h.head_hash);
    std::vector<Link> links = links_;
    std::shuffle(links.begin(), links.end(), std::mt19937(shuffle));
    std::vector<ChainLedger> parts(static_cast<size_t>(workers), ChainLedger(keys));
    for (size_t i = 0; i < links.size(); ++i) {
      const Link& l = links[i];
      parts[i % parts.size()].AddEntry(l.id, l.seq, l.prev, l.hash);
    }
    for (const ChainLedger& p : parts) total.Merge(p);
    return total.Balanced();
  }

  Link& At(const std::string& id, int64_t seq) {
    return *std::find_if(links_.begin(), links_.end(),
                         [&](const Link& l) { return l.id == id && l.seq == seq; });
  }
  void Remove(const std::string& id, int64_t seq) {
    links_.erase(std::find_if(links_.begin(), links_.end(),
                              [&](const Link& l) { return l.id == id && l.seq == seq; }));
  }

  std::vector<Link> links_;
  std::vector<Head> heads_;
};

TEST_F(ChainLedgerTest, IntactChainsBalanceInAnyOrderAndSplit) {
  for (unsigned shuffle = 1; shuffle <= 5; ++shuffle) {
    for (int workers : {1, 2, 3}) EXPECT_TRUE(Balanced(workers, shuffle));
  }
}

TEST_F(ChainLedgerTest, AnEmptyStoreBalances) {
  links_.clear();
  heads_.clear();
  EXPECT_TRUE(Balanced());
}

TEST_F(ChainLedgerTest, AMissingMiddleEntryDoesNotBalance) {
  Remove("a", 3);
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AMissingLastEntryDoesNotBalance) {
  Remove("c", 3);
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AMissingFirstEntryDoesNotBalance) {
  Remove("a", 1);
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AnEditedPrevHashDoesNotBalance) {
  At("a", 4).prev = "forged";
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AFirstEntryNotFromGenesisDoesNotBalance) {
  At("b", 1).prev = "b-h0";
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AHeadHashThatIsNotTheLastEntrysDoesNotBalance) {
  heads_[0].head_hash = "a-h4";
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, ARevisionBeyondTheHistoryDoesNotBalance) {
  heads_[2].revision = 4;
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AnEntryBeyondTheRevisionDoesNotBalance) {
  links_.push_back(Link{"c", 4, "c-h3", "c-h4"});
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, ADuplicatedEntryDoesNotBalance) {
  links_.push_back(At("a", 2));
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AForkDoesNotBalance) {
  // A second entry 2 linking to entry 1, as if a step had been written twice.
  links_.push_back(Link{"a", 2, "a-h1", "a-h2x"});
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AnEntryMovedToAnotherRequestDoesNotBalance) {
  At("c", 2).id = "a";
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, SwappedSeqsDoNotBalance) {
  Link& second = At("a", 2);
  Link& third = At("a", 3);
  second.seq = 3;
  third.seq = 2;
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, AnIntactChainWithNoRequestRowDoesNotBalance) {
  std::vector<Link> orphan = Chain("d", 2);
  links_.insert(links_.end(), orphan.begin(), orphan.end());
  EXPECT_FALSE(Balanced());
}

TEST_F(ChainLedgerTest, ARequestAtRevisionZeroDoesNotBalance) {
  // Its genesis and head terms would cancel out: the ledger refuses it outright.
  heads_.push_back(Head{"z", 0, kGenesisHash});
  EXPECT_FALSE(Balanced());
  EXPECT_FALSE(Balanced(3));  // also when merged from another ledger
}

TEST_F(ChainLedgerTest, ARequestRowWithNoHistoryDoesNotBalance) {
  heads_.push_back(Head{"e", 1, "e-h1"});
  EXPECT_FALSE(Balanced());
}

// The links from requests to their rows (SQLite, schema 12): each request names its last row,
// each row the one before it. A row is (request id, seq, rowid, prev rowid); a head is
// (request id, revision, last rowid).
struct RowLink {
  std::string id;
  int64_t seq, rowid, prev;
};
struct LastRow {
  std::string id;
  int64_t revision, rowid;
};

bool LinksBalance(const std::vector<LastRow>& heads, std::vector<RowLink> rows,
                  unsigned shuffle_seed = 1) {
  const ChainLedger::Keys keys = ChainLedger::DrawKeys();
  ChainLedger requests(keys), entries(keys);
  for (const LastRow& h : heads) requests.AddLastRow(h.id, h.revision, h.rowid);
  std::mt19937 random(shuffle_seed);
  std::shuffle(rows.begin(), rows.end(), random);
  for (const RowLink& r : rows) entries.AddRowLink(r.id, r.seq, r.rowid, r.prev);
  requests.Merge(entries);
  return requests.Balanced();
}

// Two requests whose rows interleave in the table, as steps do.
const std::vector<RowLink> kRows = {
    {"r-1", 1, 1, 0}, {"r-2", 1, 2, 0}, {"r-1", 2, 3, 1}, {"r-2", 2, 4, 2}, {"r-1", 3, 7, 3}};
const std::vector<LastRow> kHeads = {{"r-1", 3, 7}, {"r-2", 2, 4}};

TEST(ChainLedgerLinkTest, LinksThatWalkEachRequestsRowsInSeqOrderBalanceInAnyOrder) {
  for (unsigned seed = 1; seed <= 5; ++seed) EXPECT_TRUE(LinksBalance(kHeads, kRows, seed));
  EXPECT_TRUE(LinksBalance({}, {}));
}

TEST(ChainLedgerLinkTest, LinksThatMissAStoredRowOrNameAnotherNeverBalance) {
  auto with = [](size_t i, RowLink changed) {
    std::vector<RowLink> rows = kRows;
    rows[i] = std::move(changed);
    return rows;
  };
  EXPECT_FALSE(LinksBalance({{"r-1", 3, 3}, {"r-2", 2, 4}}, kRows)) << "head not the last row";
  EXPECT_FALSE(LinksBalance({{"r-1", 2, 3}, {"r-2", 2, 4}}, kRows)) << "a row past the head";
  EXPECT_FALSE(LinksBalance(kHeads, with(4, {"r-1", 3, 7, 1}))) << "a row linked past";
  EXPECT_FALSE(LinksBalance(kHeads, with(4, {"r-1", 3, 7, 2}))) << "into another request";
  EXPECT_FALSE(LinksBalance(kHeads, with(4, {"r-1", 3, 7, 7}))) << "a loop";
  EXPECT_FALSE(LinksBalance(kHeads, with(0, {"r-1", 1, 1, 5}))) << "a first row linked on";
  std::vector<RowLink> extra = kRows;
  extra.push_back({"r-2", 3, 9, 4});  // a row no head reaches
  EXPECT_FALSE(LinksBalance(kHeads, extra));
  std::vector<RowLink> missing(kRows.begin(), kRows.end() - 1);
  EXPECT_FALSE(LinksBalance(kHeads, missing)) << "a linked row not stored";
  EXPECT_FALSE(LinksBalance({{"r-1", 3, 7}, {"r-2", 2, 4}, {"r-3", 1, 8}}, kRows))
      << "a request whose row is not stored";
}

}  // namespace
}  // namespace rogatory::store_internal
