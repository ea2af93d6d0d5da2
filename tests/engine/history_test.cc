// The hash-chained history: one entry per revision, each covering the previous one.
#include "rogatory/history.h"

#include "test_engine.h"

namespace rogatory::testing {
namespace {

TEST(HistoryTest, OneEntryPerRevisionOldestFirst) {
  TestEngine env;
  RequestId id = env.Transmitted();
  auto h = env.engine().History(id);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].event, "create");
  EXPECT_EQ((*h)[0].from_state, "");
  EXPECT_EQ((*h)[0].to_state, "draft");
  EXPECT_EQ((*h)[0].prev_hash, kGenesisHash);
  EXPECT_EQ((*h)[1].event, "issue");
  EXPECT_EQ((*h)[1].actor, "ana.prosecutor");
  EXPECT_EQ((*h)[2].from_state, "issued");
  EXPECT_EQ((*h)[2].to_state, "transmitted");
  for (size_t i = 0; i < h->size(); ++i) EXPECT_EQ((*h)[i].seq, static_cast<int64_t>(i) + 1);
  EXPECT_EQ(env.engine().Get(id)->head_hash, h->back().hash);
}

TEST(HistoryTest, RecordsEventDataAndComment) {
  TestEngine env;
  RequestId id = env.Create();
  EventCall call;
  call.event = "issue";
  call.data = {{"executing_state", "FR"}};
  call.comment = "signed by the chief prosecutor";
  ASSERT_TRUE(env.engine().Fire(id, call, Prosecutor()).ok());
  auto h = *env.engine().History(id);
  EXPECT_EQ(h.back().data["executing_state"], "FR");
  EXPECT_EQ(h.back().comment, "signed by the chief prosecutor");
}

TEST(HistoryTest, ChainVerifies) {
  TestEngine env;
  RequestId id = env.Transmitted();
  EXPECT_TRUE(env.engine().VerifyHistory(id).ok());
}

// The canonical encoding is a contract (docs/api.md): stored chains must keep verifying
// whatever the hashing code becomes. Expected values from an independent encoder (Python's
// hashlib over <length>:<bytes> fields, json.dumps with sorted keys and no ASCII escaping).
TEST(HistoryTest, HashOfCanonicalEncodingIsPinned) {
  HistoryEntry plain{"01JD3X1Y2Z3A4B5C6D7E8F9G0H",
                     42,
                     "recognise",
                     "transmitted",
                     "recognised",
                     "eve.executing",
                     FromUnixMicros(1'700'000'000'000'000),
                     nlohmann::json::object(),
                     "",
                     kGenesisHash,
                     ""};
  EXPECT_EQ(ComputeHistoryHash(plain),
            "95b1c2beaf2acd7cf0f27415cd8d26d5a137395bd87e2307890b5bb09cac763d");
  std::string prev;
  for (int i = 0; i < 32; ++i) prev += "ab";
  HistoryEntry full{
      "01JD3X1Y2Z3A4B5C6D7E8F9G0H",  1,    "create", "", "drafting", "ana", FromUnixMicros(-5),
      {{"b", 1}, {"a", "x \u00e9"}}, "ok", prev,     ""};
  full.authority = "FR-PNF";
  EXPECT_EQ(ComputeHistoryHash(full),
            "350b5cbd2f6992792828db7b08e79c8f3716c3cbdbec5d169ff8d7262a2607b7");
  // Twice in a row on one thread (the encoder reuses its buffer): the same answer.
  EXPECT_EQ(ComputeHistoryHash(plain),
            "95b1c2beaf2acd7cf0f27415cd8d26d5a137395bd87e2307890b5bb09cac763d");
}

// The audit's check of a stored row (its data as stored text) against the pinned hashes above,
// and against ComputeHistoryHash on the chain the engine wrote: the same encoding both ways.
StoredHistoryEntry ViewOf(const HistoryEntry& e) {
  StoredHistoryEntry v;
  v.request_id = e.request_id;
  v.seq = e.seq;
  v.event = e.event;
  v.from_state = e.from_state;
  v.to_state = e.to_state;
  v.actor = e.actor;
  v.at_us = ToUnixMicros(e.at);
  v.comment = e.comment;
  v.prev_hash = e.prev_hash;
  v.hash = e.hash;
  v.authority = e.authority;
  return v;
}

TEST(HistoryTest, StoredEntryHashMatchesThePinnedHashes) {
  StoredHistoryEntry plain;
  plain.request_id = "01JD3X1Y2Z3A4B5C6D7E8F9G0H";
  plain.seq = 42;
  plain.event = "recognise";
  plain.from_state = "transmitted";
  plain.to_state = "recognised";
  plain.actor = "eve.executing";
  plain.at_us = 1'700'000'000'000'000;
  plain.prev_hash = kGenesisHash;
  plain.hash = "95b1c2beaf2acd7cf0f27415cd8d26d5a137395bd87e2307890b5bb09cac763d";
  EXPECT_TRUE(StoredHistoryHashMatches(plain, "{}"));
  EXPECT_FALSE(StoredHistoryHashMatches(plain, "{ }"));
  plain.authority = "FR-PNF";  // an authority is encoded only when present
  EXPECT_FALSE(StoredHistoryHashMatches(plain, "{}"));

  std::string prev;
  for (int i = 0; i < 32; ++i) prev += "ab";
  StoredHistoryEntry full;
  full.request_id = "01JD3X1Y2Z3A4B5C6D7E8F9G0H";
  full.seq = 1;
  full.event = "create";
  full.to_state = "drafting";
  full.actor = "ana";
  full.at_us = -5;
  full.comment = "ok";
  full.prev_hash = prev;
  full.authority = "FR-PNF";
  full.hash = "350b5cbd2f6992792828db7b08e79c8f3716c3cbdbec5d169ff8d7262a2607b7";
  EXPECT_TRUE(StoredHistoryHashMatches(full, "{\"a\":\"x \u00e9\",\"b\":1}"));
  EXPECT_FALSE(StoredHistoryHashMatches(full, "{\"b\":1,\"a\":\"x \u00e9\"}"));
}

TEST(HistoryTest, StoredEntryHashAgreesWithComputeHistoryHash) {
  TestEngine env;
  auto h = *env.engine().History(env.Transmitted());
  ASSERT_GE(h.size(), 3u);
  for (const HistoryEntry& e : h) {
    const std::string dump = e.data.dump();
    EXPECT_TRUE(StoredHistoryHashMatches(ViewOf(e), dump)) << e.seq << " " << dump;
    StoredHistoryEntry changed = ViewOf(e);
    changed.seq += 1;
    EXPECT_FALSE(StoredHistoryHashMatches(changed, dump));
  }
}

TEST(HistoryTest, TamperingWithAnyFieldBreaksTheChain) {
  TestEngine env;
  auto h = *env.engine().History(env.Transmitted());
  using Mutator = void (*)(HistoryEntry&);
  const Mutator mutators[] = {
      [](HistoryEntry& e) { e.event = "refuse"; },
      [](HistoryEntry& e) { e.to_state = "refused"; },
      [](HistoryEntry& e) { e.actor = "mallory"; },
      [](HistoryEntry& e) { e.at += std::chrono::seconds(1); },
      [](HistoryEntry& e) { e.data["executing_state"] = "IT"; },
      [](HistoryEntry& e) { e.comment = "x"; },
  };
  for (Mutator mutate : mutators) {
    auto copy = h;
    mutate(copy[1]);
    Status s = VerifyHistoryChain(copy);
    EXPECT_EQ(s.code(), StatusCode::kInternal);
    EXPECT_THAT(s.message(), ::testing::HasSubstr("seq 2"));
  }
}

TEST(HistoryTest, RemovedOrRehashedEntryIsCaught) {
  TestEngine env;
  auto h = *env.engine().History(env.Transmitted());
  auto missing = h;
  missing.erase(missing.begin() + 1);
  EXPECT_FALSE(VerifyHistoryChain(missing).ok());
  // Rewriting an entry and recomputing its own hash still breaks the next link.
  auto rehashed = h;
  rehashed[1].actor = "mallory";
  rehashed[1].hash = ComputeHistoryHash(rehashed[1]);
  Status s = VerifyHistoryChain(rehashed);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("seq 3"));
}

}  // namespace
}  // namespace rogatory::testing

namespace rogatory::testing {
namespace {

// Regression: iterating `*engine.History(id)` read a destroyed Result (garbage event names).
TEST(ResultTest, RangeForOverTemporaryResultIsSafe) {
  TestEngine env;
  RequestId id = env.Transmitted();
  std::vector<std::string> events;
  for (const auto& h : *env.engine().History(id)) events.push_back(h.event);
  EXPECT_THAT(events, ::testing::ElementsAre("create", "issue", "transmit"));
}

}  // namespace
}  // namespace rogatory::testing
