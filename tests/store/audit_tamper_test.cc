// `AuditHistories` on SQLite and PostgreSQL files tampered with behind the store's back, one
// stored column at a time: the audit's undecoded check (the SQL stores' VisitHistoryRange,
// each data text hashed as stored when canonical) must name the same broken link, with the same
// message and counts, as the decoded walk of one GetHistory per request that the audit did
// before range reads (a ForwardingStore hides the range reader, so it takes that path).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rogatory/audit.h"
#include "rogatory/forwarding_store.h"
#include "sqlite_exec.h"
#include "store_test_util.h"

namespace rogatory::testing {
namespace {

using ::testing::HasSubstr;

class AuditTamperTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(db_.status().ok()) << db_.status().ToString();
    Populate(db_.store(), 3, 4);
  }

  // Creates requests r-1..r-n with `steps` revisions each (data {"step": revision}).
  static void Populate(Store& store, int n, int steps) {
    for (int i = 1; i <= n; ++i) {
      RequestBuilder b("r-" + std::to_string(i));
      ASSERT_TRUE(store.Apply(b.Create()).ok());
      for (int s = 1; s < steps; ++s) {
        ASSERT_TRUE(store.Apply(b.Step("note", "draft", Phase::kDrafting)).ok());
      }
    }
  }

  // Runs `sql` on the store's own database, as an intruder would.
  void Tamper(const std::string& sql) {
    if (GetParam() == StoreKind::kSqlite) {
      SqliteExec(db_.sqlite_path(), sql);
    } else {
      std::string why;
      const std::string admin = PgClusterUrl(&why);
      ASSERT_FALSE(admin.empty()) << why;
      ASSERT_EQ(PgExec(admin, "SET search_path TO " + db_.pg_schema() + "; " + sql), "");
    }
  }

  // The audit's report, checked against the decoded per-request walk's: the same requests and
  // entries counted, the same broken link and message, or the same error.
  // Checked with one worker, three, and the default (one per CPU).
  Result<AuditReport> Audit() {
    ForwardingStore decoded_only(db_.shared());
    Result<AuditReport> reference = AuditHistories(decoded_only);
    for (int workers : {1, 3}) {
      SCOPED_TRACE("workers: " + std::to_string(workers));
      Same(AuditHistories(db_.store(), AuditOptions{workers}), reference);
    }
    Result<AuditReport> fast = AuditHistories(db_.store());
    Same(fast, reference);
    return fast;
  }

  static void Same(const Result<AuditReport>& fast, const Result<AuditReport>& reference) {
    EXPECT_EQ(fast.ok(), reference.ok());
    if (!fast.ok() || !reference.ok()) {
      EXPECT_EQ(fast.status().ToString(), reference.status().ToString());
      return;
    }
    EXPECT_EQ(fast->requests, reference->requests);
    EXPECT_EQ(fast->entries, reference->entries);
    EXPECT_EQ(fast->broken.has_value(), reference->broken.has_value());
    if (fast->broken && reference->broken) {
      EXPECT_EQ(fast->broken->request_id, reference->broken->request_id);
      EXPECT_EQ(fast->broken->seq, reference->broken->seq);
      EXPECT_EQ(fast->broken->message, reference->broken->message);
    }
  }

  // Tampers with `sql` and expects the audit to stop at request `id`, entry `seq`, with a
  // message containing `what`, after checking `requests` requests.
  void ExpectBroken(const std::string& sql, const std::string& id, int64_t seq,
                    const std::string& what, int64_t requests) {
    Tamper(sql);
    Result<AuditReport> report = Audit();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->broken.has_value()) << sql;
    EXPECT_EQ(report->pages_decoded, 1);  // the page with the break, for its exact report
    EXPECT_EQ(report->broken->request_id, id);
    EXPECT_EQ(report->broken->seq, seq);
    EXPECT_THAT(report->broken->message, HasSubstr(what));
    EXPECT_EQ(report->requests, requests);
  }

  TestStore db_{GetParam()};
};

constexpr char kTampered[] = "hash does not match the entry's content (tampered)";

TEST_P(AuditTamperTest, IntactStoreVerifiesOnBothPaths) {
  Result<AuditReport> report = Audit();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value());
  EXPECT_EQ(report->requests, 3);
  EXPECT_EQ(report->entries, 12);
  // The store writes canonical text: every entry hashed as stored, no page decoded.
  EXPECT_EQ(report->data_redumped, 0);
  EXPECT_EQ(report->pages_decoded, 0);
  // SQLite checks everything in one pass; PostgreSQL walks the pages.
  EXPECT_EQ(report->one_pass, GetParam() == StoreKind::kSqlite);
}

TEST_P(AuditTamperTest, AnEditedToStateIsNamed) {
  ExpectBroken("UPDATE history SET to_state = 'closed' WHERE request_id = 'r-2' AND seq = 3", "r-2",
               3, "request r-2 history seq 3: " + std::string(kTampered), 2);
}

TEST_P(AuditTamperTest, AnEditedFromStateIsNamed) {
  ExpectBroken("UPDATE history SET from_state = 'x' WHERE request_id = 'r-3' AND seq = 2", "r-3", 2,
               kTampered, 3);
}

TEST_P(AuditTamperTest, AnEditedEventIsNamed) {
  ExpectBroken("UPDATE history SET event = 'approve' WHERE request_id = 'r-1' AND seq = 4", "r-1",
               4, kTampered, 1);
}

TEST_P(AuditTamperTest, AnEditedActorIsNamed) {
  ExpectBroken("UPDATE history SET actor = 'mallory' WHERE request_id = 'r-2' AND seq = 1", "r-2",
               1, kTampered, 2);
}

TEST_P(AuditTamperTest, AnEditedTimeIsNamed) {
  ExpectBroken("UPDATE history SET at = at + 1 WHERE request_id = 'r-2' AND seq = 2", "r-2", 2,
               kTampered, 2);
}

TEST_P(AuditTamperTest, AnEditedCommentIsNamed) {
  ExpectBroken("UPDATE history SET comment = 'x' WHERE request_id = 'r-2' AND seq = 2", "r-2", 2,
               kTampered, 2);
}

TEST_P(AuditTamperTest, AnAddedAuthorityIsNamed) {
  ExpectBroken("UPDATE history SET authority = 'fr-pnf' WHERE request_id = 'r-3' AND seq = 3",
               "r-3", 3, kTampered, 3);
}

// The fast path: the stored text is canonical, hashed as it is, and differs.
TEST_P(AuditTamperTest, EditedCanonicalDataIsNamed) {
  ExpectBroken("UPDATE history SET data = '{\"step\":99}' WHERE request_id = 'r-2' AND seq = 3",
               "r-2", 3, kTampered, 2);
}

// The fallback: a text formatted otherwise is parsed and dumped again, so the same value in
// other spacing and key order still verifies, exactly as the decoded walk lets it.
TEST_P(AuditTamperTest, EquivalentDataFormattedOtherwiseStillVerifies) {
  Tamper("UPDATE history SET data = '{ \"step\" : 3 }' WHERE request_id = 'r-2' AND seq = 3");
  Result<AuditReport> report = Audit();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
  EXPECT_EQ(report->requests, 3);
  EXPECT_EQ(report->entries, 12);
  EXPECT_EQ(report->data_redumped, 1);  // that one text, parsed and dumped again
  EXPECT_EQ(report->pages_decoded, 0);
  EXPECT_EQ(report->one_pass, GetParam() == StoreKind::kSqlite);
}

// The fallback on a text that is not canonical and holds another value.
TEST_P(AuditTamperTest, EditedDataFormattedOtherwiseIsNamed) {
  ExpectBroken("UPDATE history SET data = '{\"step\": 4}' WHERE request_id = 'r-2' AND seq = 3",
               "r-2", 3, kTampered, 2);
}

TEST_P(AuditTamperTest, DataThatDoesNotParseIsTheSameError) {
  Tamper("UPDATE history SET data = '{\"step\":' WHERE request_id = 'r-2' AND seq = 3");
  Result<AuditReport> report = Audit();
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("history of request r-2 seq 3"));
}

TEST_P(AuditTamperTest, AnEditedPrevHashIsNamed) {
  ExpectBroken("UPDATE history SET prev_hash = '" + std::string(64, 'a') +
                   "' WHERE request_id = 'r-1' AND seq = 2",
               "r-1", 2,
               "request r-1 history seq 2: prev_hash does not match the previous entry's hash", 1);
}

TEST_P(AuditTamperTest, AnEditedHashIsNamed) {
  ExpectBroken("UPDATE history SET hash = '" + std::string(64, 'b') +
                   "' WHERE request_id = 'r-3' AND seq = 4",
               "r-3", 4, kTampered, 3);
}

TEST_P(AuditTamperTest, AMissingRowIsNamed) {
  ExpectBroken("DELETE FROM history WHERE request_id = 'r-2' AND seq = 2", "r-2", 2,
               "request r-2 history seq 3: expected seq 2 (an entry is missing or out of order)",
               2);
}

TEST_P(AuditTamperTest, ReorderedEntriesAreNamed) {
  // Entries 2 and 3 swap places (through 100: the primary key holds at every row).
  Tamper("UPDATE history SET seq = 100 WHERE request_id = 'r-2' AND seq = 2");
  Tamper("UPDATE history SET seq = 2 WHERE request_id = 'r-2' AND seq = 3");
  ExpectBroken("UPDATE history SET seq = 3 WHERE request_id = 'r-2' AND seq = 100", "r-2", 2,
               "prev_hash does not match", 2);
}

TEST_P(AuditTamperTest, ARequestWithNoHistoryIsNamed) {
  ExpectBroken("DELETE FROM history WHERE request_id = 'r-2'", "r-2", 1,
               "request r-2 has no history", 2);
}

TEST_P(AuditTamperTest, ALastEntryRemovedDisagreesWithTheRequestRow) {
  ExpectBroken("DELETE FROM history WHERE request_id = 'r-3' AND seq = 4", "r-3", 4,
               "request r-3 is at revision 4 but its history ends at seq 3 (head hash differs)", 3);
}

// The request row's revision edited, either way: on SQLite the walk from its last entry finds no
// row at the revision's seq, and the history is read by its request id, so both stores name the
// same entry with the same words.
TEST_P(AuditTamperTest, ALoweredRevisionDisagreesWithTheHistory) {
  ExpectBroken("UPDATE requests SET revision = 3 WHERE id = 'r-3'", "r-3", 3,
               "request r-3 is at revision 3 but its history ends at seq 4", 3);
}

TEST_P(AuditTamperTest, ARaisedRevisionDisagreesWithTheHistory) {
  ExpectBroken("UPDATE requests SET revision = 5 WHERE id = 'r-3'", "r-3", 5,
               "request r-3 is at revision 5 but its history ends at seq 4", 3);
}

// A damaged history reads as it is stored on both stores: the entries left, by seq.
TEST_P(AuditTamperTest, AHistoryWithARowDeletedReadsAsStored) {
  Tamper("DELETE FROM history WHERE request_id = 'r-2' AND seq = 2");
  Result<std::vector<HistoryEntry>> history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  std::vector<int64_t> seqs;
  for (const HistoryEntry& e : *history) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 3, 4}));
  Tamper("DELETE FROM history WHERE request_id = 'r-2' AND seq = 4");
  history = db_.store().GetHistory("r-2");
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  seqs.clear();
  for (const HistoryEntry& e : *history) seqs.push_back(e.seq);
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 3}));
}

TEST_P(AuditTamperTest, RowsOfAnIdWithNoRequestAreNoHistory) {
  // Copies of r-1's rows under an id between r-1 and r-2 that has no request row.
  Tamper(
      "INSERT INTO history (request_id, seq, event, from_state, to_state, actor, at, data, "
      "comment, prev_hash, hash, authority) SELECT 'r-1x', seq, event, from_state, to_state, "
      "actor, at, data, comment, prev_hash, hash, authority FROM history WHERE request_id = "
      "'r-1'");
  if (GetParam() == StoreKind::kPostgres) {
    Result<AuditReport> report = Audit();
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->broken.has_value()) << report->broken->message;
    EXPECT_EQ(report->entries, 12);
    EXPECT_FALSE(report->one_pass);
    return;
  }
  // SQLite reads each history through the links from its request's last row (schema 12): a row
  // that no link reaches was not written by a step, and the audit names the first, after every
  // request's history verified (which a walk by request alone, the reference of Audit(), does
  // not see). The one pass cannot tell such rows from a broken chain, so the pages said it.
  for (int workers : {1, 3, 0}) {
    SCOPED_TRACE("workers: " + std::to_string(workers));
    Result<AuditReport> report = AuditHistories(db_.store(), AuditOptions{workers});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->requests, 3);
    EXPECT_EQ(report->entries, 12);
    EXPECT_FALSE(report->one_pass);
    ASSERT_TRUE(report->broken.has_value());
    EXPECT_EQ(report->broken->request_id, "r-1x");
    EXPECT_EQ(report->broken->seq, 1);
    EXPECT_EQ(report->broken->message,
              "history entry 1 of request r-1x is reached by no link from a request's last entry "
              "(a row was added or a link edited)");
  }
}

TEST_P(AuditTamperTest, BrokenOnALaterPageCountsTheEarlierPages) {
  // Pages hold 500 requests: r-1..r-3 and 600 more, the break on the second page.
  for (int i = 0; i < 600; ++i) {
    RequestBuilder b("s-" + std::to_string(1000 + i));
    ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  }
  ExpectBroken("UPDATE history SET actor = 'mallory' WHERE request_id = 's-1550'", "s-1550", 1,
               kTampered, 554);
}

TEST_P(AuditTamperTest, ConcurrentPageChecksNameTheFirstBreakInIdOrder) {
  // Five pages: r-1..r-3 and s-1000..s-2999. Breaks on the third page (s-2100) and the fourth
  // (s-2600): pages checked at once must still report the third page's, counting what a walk
  // page by page counts, whichever check finishes first. (The name puts it in the TSan run.)
  for (int i = 0; i < 2000; ++i) {
    RequestBuilder b("s-" + std::to_string(1000 + i));
    ASSERT_TRUE(db_.store().Apply(b.Create()).ok());
  }
  Tamper("UPDATE history SET actor = 'mallory' WHERE request_id = 's-2600'");
  Tamper("UPDATE history SET event = 'forged' WHERE request_id = 's-2100'");
  for (int workers : {1, 2, 3, 4, 8}) {
    SCOPED_TRACE("workers: " + std::to_string(workers));
    Result<AuditReport> report = AuditHistories(db_.store(), AuditOptions{workers});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_TRUE(report->broken.has_value());
    EXPECT_EQ(report->broken->request_id, "s-2100");
    EXPECT_EQ(report->broken->seq, 1);
    EXPECT_THAT(report->broken->message, HasSubstr(kTampered));
    EXPECT_EQ(report->requests, 3 + 1100 + 1);
    EXPECT_EQ(report->entries, 12 + 1100 + 1);
    EXPECT_EQ(report->pages_decoded, 1);
  }
  // Once the third page is mended, the walk goes on to the fourth page's break.
  Tamper(
      "UPDATE history SET event = (SELECT h.event FROM history h WHERE h.request_id = 's-2101' "
      "AND h.seq = 1) WHERE request_id = 's-2100'");
  Result<AuditReport> report = AuditHistories(db_.store(), AuditOptions{4});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->broken.has_value());
  EXPECT_EQ(report->broken->request_id, "s-2600");
}

INSTANTIATE_TEST_SUITE_P(Stores, AuditTamperTest,
                         ::testing::Values(StoreKind::kSqlite, StoreKind::kPostgres),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return StoreKindName(info.param);
                         });

}  // namespace
}  // namespace rogatory::testing
