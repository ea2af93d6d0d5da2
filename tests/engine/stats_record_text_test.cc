// The statistics record's text (stats_requests.record): StatsRecordToText must write the very
// bytes nlohmann's dump() of the record's object wrote before it (stored records stay as they
// are), and StatsRecordFromText's fast reader must read what it accepts exactly as nlohmann's
// parse does, leaving every other text to that parse (so errors stay as they were).
#include "stats_record_text.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "rogatory/stats.h"

namespace rogatory {
namespace {

using nlohmann::json;

// What StatsRecordToText wrote until session 7: the reference for every byte.
json RecordObject(const StatsRecord& r) {
  return json{{"id", r.request_id},
              {"workflow", r.workflow},
              {"version", r.version},
              {"day", r.created_day},
              {"state", r.state},
              {"phase", static_cast<int>(r.phase)},
              {"terminal", r.terminal},
              {"lapsed", r.lapsed_now},
              {"breakdowns", r.breakdowns},
              {"counterpart", r.counterpart_value},
              {"requesting_side", r.requesting_side},
              {"parties", r.parties},
              {"lapses", r.lapses},
              {"entered", r.phase_entered_us}};
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  // Text made of pieces that each need care: quotes, backslashes, every control character,
  // DEL, multi-byte UTF-8, JSON punctuation.
  std::string Text() {
    static const std::vector<std::string> kPieces = {"a",
                                                     "Z",
                                                     "0",
                                                     " ",
                                                     "/",
                                                     "{",
                                                     "}",
                                                     "[",
                                                     "]",
                                                     ":",
                                                     ",",
                                                     "\"",
                                                     "\\",
                                                     "\x7f",
                                                     "\xc3\xa9",
                                                     "\xe2\x82\xac",
                                                     "\xf0\x9f\x98\x80",
                                                     "\xef\xbf\xbf",
                                                     "u0041",
                                                     "\\u",
                                                     "-",
                                                     "true"};
    std::string out;
    for (int i = 0, n = Pick(7); i < n; ++i) {
      if (Pick(5) == 0) {
        out.push_back(static_cast<char>(Pick(0x20)));  // a control character, NUL included
      } else {
        out += kPieces[static_cast<size_t>(Pick(static_cast<int>(kPieces.size())))];
      }
    }
    return out;
  }

  int64_t Int() {
    switch (Pick(6)) {
      case 0:
        return INT64_MIN;
      case 1:
        return INT64_MAX;
      case 2:
        return static_cast<int64_t>((uint64_t{rng_()} << 32) | rng_());
      case 3:
        return -1 - Pick(1000);
      default:
        return Pick(1000);
    }
  }

  StatsRecord Record() {
    StatsRecord r;
    r.request_id = Text();
    r.workflow = Text();
    const int versions[] = {0, 1, 7, -3, INT_MIN, INT_MAX};
    r.version = versions[Pick(6)];
    r.created_day = Pick(2) == 0 ? "2026-03-10" : Text();
    r.state = Text();
    r.phase = static_cast<Phase>(Pick(kPhaseCount));
    r.terminal = Pick(2) == 0;
    r.lapsed_now = Pick(2) == 0;
    for (int i = 0, n = Pick(4); i < n; ++i) {
      std::vector<std::string>& values = r.breakdowns[Text()];
      for (int k = 0, m = Pick(4); k < m; ++k) values.push_back(Text());
    }
    r.counterpart_value = Text();
    r.requesting_side = Text();
    for (int i = 0, n = Pick(4); i < n; ++i) r.parties[Text()] = Text();
    for (int i = 0, n = Pick(4); i < n; ++i) r.lapses[Text()] = Int();
    for (int64_t& us : r.phase_entered_us) us = Pick(3) == 0 ? -1 : Int();
    return r;
  }

 private:
  std::mt19937 rng_;
};

constexpr int kRecords = 4000;

TEST(StatsRecordTextTest, WritesTheBytesNlohmannDumps) {
  Generator gen(7);
  std::string reused = "left over from an earlier record";
  for (int i = 0; i < kRecords; ++i) {
    const StatsRecord r = gen.Record();
    const std::string expected = RecordObject(r).dump();
    ASSERT_EQ(StatsRecordToText(r), expected);
    StatsRecordToText(r, &reused);
    ASSERT_EQ(reused, expected);
  }
}

// The SQL stores do not write again a record equal (operator==) to the one they kept: records
// are equal exactly when they write the same text, whichever single field differs.
TEST(StatsRecordTextTest, EqualRecordsAreThoseThatWriteTheSameText) {
  Generator gen(13);
  constexpr int kFields = 14;
  for (int i = 0; i < kRecords; ++i) {
    const StatsRecord a = gen.Record();
    const StatsRecord other = gen.Record();
    StatsRecord b = a;
    ASSERT_TRUE(a == b);
    switch (i % kFields) {  // one field of b taken from `other` (sometimes the same value)
      case 0:
        b.request_id = other.request_id;
        break;
      case 1:
        b.workflow = other.workflow;
        break;
      case 2:
        b.version = other.version;
        break;
      case 3:
        b.created_day = other.created_day;
        break;
      case 4:
        b.state = other.state;
        break;
      case 5:
        b.phase = other.phase;
        break;
      case 6:
        b.terminal = other.terminal;
        break;
      case 7:
        b.lapsed_now = other.lapsed_now;
        break;
      case 8:
        b.breakdowns = other.breakdowns;
        break;
      case 9:
        b.counterpart_value = other.counterpart_value;
        break;
      case 10:
        b.requesting_side = other.requesting_side;
        break;
      case 11:
        b.parties = other.parties;
        break;
      case 12:
        b.lapses = other.lapses;
        break;
      default:
        b.phase_entered_us = other.phase_entered_us;
        break;
    }
    ASSERT_EQ(a == b, StatsRecordToText(a) == StatsRecordToText(b)) << "field " << i % kFields;
    ASSERT_EQ(a != b, !(a == b));
  }
}

TEST(StatsRecordTextTest, WritesEveryPhaseAndEmptyMembers) {
  for (int p = 0; p < kPhaseCount; ++p) {
    StatsRecord r;
    r.phase = static_cast<Phase>(p);
    EXPECT_EQ(StatsRecordToText(r), RecordObject(r).dump());
  }
  StatsRecord r;
  r.breakdowns["empty"] = {};
  EXPECT_EQ(StatsRecordToText(r), RecordObject(r).dump());
}

TEST(StatsRecordTextTest, RefusesInvalidUtf8AsDumpDid) {
  StatsRecord r;
  r.state = "caf\xc3";  // a truncated sequence
  EXPECT_THROW(RecordObject(r).dump(), json::type_error);
  EXPECT_THROW(StatsRecordToText(r), json::type_error);
}

TEST(StatsRecordTextTest, ReadsWhatItWritesThroughBothReaders) {
  Generator gen(11);
  for (int i = 0; i < kRecords; ++i) {
    const StatsRecord r = gen.Record();
    const std::string text = StatsRecordToText(r);
    StatsRecord fast;
    ASSERT_TRUE(ReadStatsRecordFast(text, &fast)) << text;
    EXPECT_TRUE(fast == r) << text;
    const Result<StatsRecord> slow = ReadStatsRecordJson(text);
    ASSERT_TRUE(slow.ok()) << text;
    EXPECT_TRUE(*slow == r) << text;
    const Result<StatsRecord> read = StatsRecordFromText(text);
    ASSERT_TRUE(read.ok()) << text;
    EXPECT_TRUE(*read == r) << text;
  }
}

// Texts of the same record in shapes the writer never produces: the fast reader refuses them
// and StatsRecordFromText still reads them, through nlohmann.
TEST(StatsRecordTextTest, ReadsOtherShapesThroughNlohmann) {
  Generator gen(13);
  for (int i = 0; i < 500; ++i) {
    const StatsRecord r = gen.Record();
    const json object = RecordObject(r);
    std::string reordered;  // the keys as the old code listed them, unsorted
    for (const char* key :
         {"id", "workflow", "version", "day", "state", "phase", "terminal", "lapsed", "breakdowns",
          "counterpart", "requesting_side", "parties", "lapses", "entered"}) {
      reordered += (reordered.empty() ? "{\"" : ",\"") + std::string(key) + "\":";
      reordered += object.at(key).dump();
    }
    reordered += "}";
    json extra = object;
    extra["zz_added_later"] = 1;
    const std::string variants[] = {object.dump(2), " " + object.dump(), object.dump() + "\n",
                                    reordered, extra.dump()};
    for (const std::string& text : variants) {
      StatsRecord fast;
      EXPECT_FALSE(ReadStatsRecordFast(text, &fast)) << text;
      const Result<StatsRecord> read = StatsRecordFromText(text);
      ASSERT_TRUE(read.ok()) << text;
      EXPECT_TRUE(*read == r) << text;
    }
  }
}

// Every character escaped as \uXXXX (ensure_ascii): the fast reader decodes the ASCII ones and
// leaves the rest (non-ASCII code points, surrogate pairs) to nlohmann; the record is the same.
TEST(StatsRecordTextTest, ReadsAsciiEscapedTextAsTheSameRecord) {
  Generator gen(29);
  int refused = 0;
  for (int i = 0; i < 500; ++i) {
    const StatsRecord r = gen.Record();
    const std::string text = RecordObject(r).dump(-1, ' ', /*ensure_ascii=*/true);
    StatsRecord fast;
    if (ReadStatsRecordFast(text, &fast)) {
      EXPECT_TRUE(fast == r) << text;
    } else {
      ++refused;
    }
    const Result<StatsRecord> read = StatsRecordFromText(text);
    ASSERT_TRUE(read.ok()) << text;
    EXPECT_TRUE(*read == r) << text;
  }
  EXPECT_GT(refused, 0);
}

TEST(StatsRecordTextTest, ReadsNumbersNlohmannAcceptsThroughIt) {
  StatsRecord r;
  const std::string text = StatsRecordToText(r);
  const std::string entered = "\"entered\":[-1,-1,-1,-1]";
  ASSERT_NE(text.find(entered), std::string::npos);
  // A float and a "-0" parse, and read as the integers they convert to.
  std::string other = text;
  other.replace(text.find(entered), entered.size(), "\"entered\":[-1.0,-0,2e0,-1]");
  StatsRecord fast;
  EXPECT_FALSE(ReadStatsRecordFast(other, &fast));
  const Result<StatsRecord> read = StatsRecordFromText(other);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->phase_entered_us, (std::array<int64_t, kPhaseCount>{{-1, 0, 2, -1}}));
}

TEST(StatsRecordTextTest, FailsOnTruncatedText) {
  Generator gen(17);
  const std::string text = StatsRecordToText(gen.Record());
  for (size_t n = 0; n < text.size(); ++n) {
    const std::string cut = text.substr(0, n);
    StatsRecord fast;
    EXPECT_FALSE(ReadStatsRecordFast(cut, &fast)) << cut;
    const Result<StatsRecord> read = StatsRecordFromText(cut);
    ASSERT_FALSE(read.ok()) << cut;
    EXPECT_EQ(read.status(), ReadStatsRecordJson(cut).status()) << cut;
  }
}

TEST(StatsRecordTextTest, FailsOnWrongValuesAsBefore) {
  StatsRecord r;
  const std::string text = StatsRecordToText(r);
  auto with = [&text](const std::string& from, const std::string& to) {
    std::string out = text;
    out.replace(out.find(from), from.size(), to);
    return out;
  };
  const std::string bad[] = {with("\"phase\":0", "\"phase\":4"),
                             with("\"phase\":0", "\"phase\":-1"),
                             with("\"phase\":0", "\"phase\":\"0\""),
                             with("\"terminal\":false", "\"terminal\":0"),
                             with("\"state\":\"\"", "\"state\":\"\x80\""),
                             with("\"state\":\"\"", "\"state\":\"\n\""),
                             with(",\"workflow\":\"\"", ""),
                             with("\"entered\":[-1,-1,-1,-1]", "\"entered\":[-1]"),
                             with("\"lapses\":{}", "\"lapses\":{\"a\":\"1\"}"),
                             "[]",
                             "",
                             "null"};
  for (const std::string& t : bad) {
    StatsRecord fast;
    EXPECT_FALSE(ReadStatsRecordFast(t, &fast)) << t;
    const Result<StatsRecord> read = StatsRecordFromText(t);
    EXPECT_FALSE(read.ok()) << t;
    EXPECT_EQ(read.status(), ReadStatsRecordJson(t).status()) << t;
  }
}

// Soundness on texts close to valid ones (a byte changed, removed or repeated): whenever the
// fast reader accepts one, nlohmann reads the same record from it; StatsRecordFromText always
// answers as nlohmann does.
TEST(StatsRecordTextTest, MutatedTextsReadAsNlohmannReadsThem) {
  Generator gen(19);
  std::mt19937 rng(23);
  const char kBytes[] = "{}[]\",:\\0-19aeflnrstu \x7f\x80\xc3\xa9";
  int accepted = 0;
  for (int i = 0; i < kRecords; ++i) {
    std::string text = StatsRecordToText(gen.Record());
    const size_t at = rng() % text.size();
    switch (rng() % 3) {
      case 0:
        text[at] = kBytes[rng() % (sizeof kBytes - 1)];
        break;
      case 1:
        text.erase(at, 1);
        break;
      default:
        text.insert(at, 1, text[at]);
        break;
    }
    const Result<StatsRecord> slow = ReadStatsRecordJson(text);
    StatsRecord fast;
    if (ReadStatsRecordFast(text, &fast)) {
      ++accepted;
      ASSERT_TRUE(slow.ok()) << text;
      EXPECT_TRUE(fast == *slow) << text;
    }
    const Result<StatsRecord> read = StatsRecordFromText(text);
    ASSERT_EQ(read.status(), slow.status()) << text;
    if (read.ok()) {
      EXPECT_TRUE(*read == *slow) << text;
    }
  }
  EXPECT_GT(accepted, 0);  // some changes stay within a string: the fast reader saw them
}

}  // namespace
}  // namespace rogatory
