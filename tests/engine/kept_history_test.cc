// The memory store's packed history (kept_history.h): every entry comes back exactly as it was
// appended, the ones that repeat their request and chain and the ones that do not.
#include "kept_history.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "rogatory/history.h"

namespace rogatory::testing {
namespace {

auto Fields(const HistoryEntry& e) {
  return std::make_tuple(e.request_id, e.seq, e.event, e.from_state, e.to_state, e.actor,
                         e.at.time_since_epoch().count(), e.data.dump(), e.data.type_name(),
                         e.comment, e.prev_hash, e.hash, e.authority);
}

void ExpectSame(const std::vector<HistoryEntry>& got, const std::vector<HistoryEntry>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(Fields(got[i]), Fields(want[i])) << "entry " << i;
  }
}

// Entry `seq` of request `id`, chained to `prev_hash`, its hash computed.
HistoryEntry Entry(const std::string& id, int64_t seq, const std::string& prev_hash) {
  HistoryEntry e;
  e.request_id = id;
  e.seq = seq;
  e.event = seq == 1 ? "create" : "transmit_to_executing_authority";
  e.from_state = seq == 1 ? "" : "awaiting_recognition_decision";
  e.to_state = "executing_authority_recognised";
  e.actor = "ana.prosecutor";
  e.at = TimePoint(Duration(1'780'000'000'000'000 + seq % 100'000 * 1'000'003));
  e.prev_hash = prev_hash;
  e.hash = ComputeHistoryHash(e);
  return e;
}

TEST(KeptHistoryTest, AChainComesBackAsItWasAppended) {
  HistoryArena arena;
  KeptHistory kept;
  const std::string id = "01KBZ6Q2W3E4R5T6Y7U8I9O0PA";
  std::vector<HistoryEntry> want;
  std::string prev(kGenesisHash);
  for (int64_t seq = 1; seq <= 4; ++seq) {
    HistoryEntry e = Entry(id, seq, prev);
    if (seq == 2) e.data = {{"note", "Überweisung — 第二"}, {"nested", {{"a", {1, 2, nullptr}}}}};
    if (seq == 3) e.comment = "sent by courier";
    if (seq == 4) e.authority = "AT-WKStA";
    e.hash = ComputeHistoryHash(e);
    prev = e.hash;
    want.push_back(e);
    kept.Append(e, e.data, id, &arena);
  }
  EXPECT_EQ(kept.size(), 4u);
  std::vector<HistoryEntry> got = kept.Entries(id);
  ExpectSame(got, want);
  EXPECT_TRUE(VerifyHistoryChain(got).ok());
  EXPECT_TRUE(got[0].data.is_object());  // an empty object, as given
}

TEST(KeptHistoryTest, EntriesThatDoNotRepeatTheirRequestOrChainComeBackToo) {
  HistoryArena arena;
  KeptHistory kept;
  const std::string id = "01KBZ6Q2W3E4R5T6Y7U8I9O0PB";
  std::vector<HistoryEntry> want;
  HistoryEntry first = Entry(id, 1, std::string(kGenesisHash));
  want.push_back(first);
  HistoryEntry other_id = Entry("another-request", 2, first.hash);  // not the id it is kept under
  want.push_back(other_id);
  HistoryEntry broken = Entry(id, 3, std::string(64, 'f'));  // a broken chain stays broken
  want.push_back(broken);
  HistoryEntry odd = Entry(id, 4, broken.hash);
  odd.hash.clear();                         // no hash at all
  odd.data = nullptr;                       // null, not an empty object
  odd.comment = std::string(100'000, 'x');  // larger than an arena block
  want.push_back(odd);
  HistoryEntry after_empty = Entry(id, 5, "");  // chained to the empty hash before it
  after_empty.data = nlohmann::json::array();
  want.push_back(after_empty);
  HistoryEntry empty_strings;  // every field empty or zero
  empty_strings.data = nlohmann::json::object();
  want.push_back(empty_strings);
  HistoryEntry extremes = Entry(id, std::numeric_limits<int64_t>::max(), "");
  extremes.at = TimePoint(Duration(std::numeric_limits<int64_t>::min()));
  extremes.event = std::string("a\0b", 3);  // NULs are kept, not ends
  extremes.actor = std::string(1, '\0');
  want.push_back(extremes);
  HistoryEntry negative = Entry(id, std::numeric_limits<int64_t>::min(), extremes.hash);
  negative.at = TimePoint(Duration(-1));
  want.push_back(negative);
  for (const HistoryEntry& e : want) kept.Append(e, e.data, id, &arena);
  std::vector<HistoryEntry> got = kept.Entries(id);
  ExpectSame(got, want);
  EXPECT_FALSE(VerifyHistoryChain(got).ok());
}

TEST(KeptHistoryTest, ManyRequestsShareOneArenaAcrossItsBlocks) {
  HistoryArena arena;
  std::vector<KeptHistory> kept(7);
  std::vector<std::vector<HistoryEntry>> want(kept.size());
  std::vector<std::string> ids;
  for (size_t r = 0; r < kept.size(); ++r) ids.push_back("request-" + std::to_string(r));
  // 7,000 entries of varied sizes, the requests interleaved: well over one 64 KiB block.
  for (int64_t seq = 1; seq <= 1000; ++seq) {
    for (size_t r = 0; r < kept.size(); ++r) {
      const std::string prev = want[r].empty() ? std::string(kGenesisHash) : want[r].back().hash;
      HistoryEntry e = Entry(ids[r], seq, prev);
      e.comment = std::string(static_cast<size_t>((seq * 37 + static_cast<int64_t>(r)) % 300), 'c');
      if (seq % 5 == 0) e.data = {{"n", seq}};
      e.hash = ComputeHistoryHash(e);
      kept[r].Append(e, e.data, ids[r], &arena);
      want[r].push_back(std::move(e));
    }
  }
  for (size_t r = 0; r < kept.size(); ++r) {
    std::vector<HistoryEntry> got = kept[r].Entries(ids[r]);
    ExpectSame(got, want[r]);
    EXPECT_TRUE(VerifyHistoryChain(got).ok()) << ids[r];
  }
}

}  // namespace
}  // namespace rogatory::testing
