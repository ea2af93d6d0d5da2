// A request's statistics record as the JSON text of stats_requests.record. Every durable step
// reads and writes it, so both directions work on the text directly: the bytes are those of
// nlohmann's dump() of the record's object (keys sorted), which the stores have always held.
#include "stats_record_text.h"

#include <array>
#include <charconv>
#include <climits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "rogatory/canonical_json.h"
#include "utf8.h"

namespace rogatory {
namespace {

void AppendInt(std::string* out, int64_t n) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out->append(buf, end);
}

void AppendBool(std::string* out, bool b) { out->append(b ? "true" : "false"); }

// A reader of the one shape StatsRecordToText writes. Every rule is at least as strict as
// nlohmann's parse, so what it accepts reads the same through either; the rest is refused.
class FastReader {
 public:
  explicit FastReader(std::string_view text) : s_(text) {}

  bool Record(StatsRecord* r) {
    int64_t phase = 0, version = 0;
    if (!Lit("{\"breakdowns\":") || !Breakdowns(&r->breakdowns)) return false;
    if (!Lit(",\"counterpart\":") || !String(&r->counterpart_value)) return false;
    if (!Lit(",\"day\":") || !String(&r->created_day)) return false;
    if (!Lit(",\"entered\":") || !Entered(&r->phase_entered_us)) return false;
    if (!Lit(",\"id\":") || !String(&r->request_id)) return false;
    if (!Lit(",\"lapsed\":") || !Bool(&r->lapsed_now)) return false;
    if (!Lit(",\"lapses\":") || !Lapses(&r->lapses)) return false;
    if (!Lit(",\"parties\":") || !Parties(&r->parties)) return false;
    if (!Lit(",\"phase\":") || !Int(&phase) || phase < 0 || phase >= kPhaseCount) return false;
    r->phase = static_cast<Phase>(phase);
    if (!Lit(",\"requesting_side\":") || !String(&r->requesting_side)) return false;
    if (!Lit(",\"state\":") || !String(&r->state)) return false;
    if (!Lit(",\"terminal\":") || !Bool(&r->terminal)) return false;
    if (!Lit(",\"version\":") || !Int(&version) || version < INT_MIN || version > INT_MAX) {
      return false;
    }
    r->version = static_cast<int>(version);
    if (!Lit(",\"workflow\":") || !String(&r->workflow)) return false;
    return Lit("}") && pos_ == s_.size();
  }

 private:
  bool Lit(std::string_view word) {
    if (s_.compare(pos_, word.size(), word) != 0) return false;
    pos_ += word.size();
    return true;
  }

  bool Bool(bool* out) {
    if (Lit("true")) {
      *out = true;
      return true;
    }
    *out = false;
    return Lit("false");
  }

  // An integer as dump() writes an int64: "0" or an optional '-' and digits without a leading
  // zero (no "-0"), within int64. A fraction or exponent fails the caller's next literal.
  bool Int(int64_t* out) {
    size_t p = pos_;
    if (p < s_.size() && s_[p] == '-') ++p;
    if (p >= s_.size() || s_[p] < '0' || s_[p] > '9') return false;
    if (s_[p] == '0' &&
        (p != pos_ || (p + 1 < s_.size() && s_[p + 1] >= '0' && s_[p + 1] <= '9'))) {
      return false;
    }
    const char* end = s_.data() + s_.size();
    const auto [ptr, ec] = std::from_chars(s_.data() + pos_, end, *out);
    if (ec != std::errc()) return false;
    pos_ = static_cast<size_t>(ptr - s_.data());
    return true;
  }

  // A string: its raw bytes, with the escapes dump() writes (the short forms and \u00xx) and
  // "\/" decoded; any other \u escape is left to nlohmann (surrogates, non-ASCII code points).
  // Raw control characters and ill-formed UTF-8 are refused, as nlohmann's parse refuses them.
  bool String(std::string* out) {
    if (!Lit("\"")) return false;
    out->clear();
    bool ascii = true;
    size_t run = pos_;  // the start of the bytes not yet copied
    for (;;) {
      if (pos_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      if (c != '\\') {
        ++pos_;
        continue;
      }
      out->append(s_.data() + run, pos_ - run);
      if (!Escape(out)) return false;
      run = pos_;
    }
    out->append(s_.data() + run, pos_ - run);
    ++pos_;  // the closing quote
    // Escapes decode to ASCII here, so the decoded text is well-formed exactly when the raw
    // bytes between them are.
    return ascii || IsValidUtf8(*out);
  }

  bool Escape(std::string* out) {
    if (pos_ + 1 >= s_.size()) return false;
    const char e = s_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out->push_back(e);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    if (pos_ + 4 > s_.size()) return false;
    unsigned code = 0;
    for (size_t i = 0; i < 4; ++i) {
      const char h = s_[pos_ + i];
      unsigned d = 0;
      if (h >= '0' && h <= '9') {
        d = static_cast<unsigned>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<unsigned>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<unsigned>(h - 'A' + 10);
      } else {
        return false;
      }
      code = code * 16 + d;
    }
    if (code >= 0x80) return false;
    pos_ += 4;
    out->push_back(static_cast<char>(code));
    return true;
  }

  // Object keys after the first must ascend strictly, as a std::map's do (byte order): then no
  // key repeats, the map reads as nlohmann would build it, and each key goes in at the end.
  bool NextKey(bool first, std::string* key, std::string* previous) {
    if (!first) std::swap(*key, *previous);
    if (!String(key)) return false;
    if (!first && !(*previous < *key)) return false;
    return Lit(":");
  }

  // `{` members `}`: `member` reads one value after its key.
  template <typename Member>
  bool Object(Member member) {
    if (!Lit("{")) return false;
    if (Lit("}")) return true;
    std::string key, previous;
    for (bool first = true;; first = false) {
      if (!NextKey(first, &key, &previous) || !member(key)) return false;
      if (Lit("}")) return true;
      if (!Lit(",")) return false;
    }
  }

  bool Breakdowns(std::map<std::string, std::vector<std::string>>* out) {
    out->clear();
    return Object([this, out](const std::string& key) {
      std::vector<std::string>& values =
          out->emplace_hint(out->end(), key, std::vector<std::string>())->second;
      if (!Lit("[")) return false;
      if (Lit("]")) return true;
      for (;;) {
        values.emplace_back();
        if (!String(&values.back())) return false;
        if (Lit("]")) return true;
        if (!Lit(",")) return false;
      }
    });
  }

  bool Parties(std::map<std::string, std::string>* out) {
    out->clear();
    return Object([this, out](const std::string& key) {
      return String(&out->emplace_hint(out->end(), key, std::string())->second);
    });
  }

  bool Lapses(std::map<std::string, int64_t>* out) {
    out->clear();
    return Object([this, out](const std::string& key) {
      return Int(&out->emplace_hint(out->end(), key, 0)->second);
    });
  }

  bool Entered(std::array<int64_t, kPhaseCount>* out) {
    if (!Lit("[")) return false;
    for (size_t i = 0; i < out->size(); ++i) {
      if (i > 0 && !Lit(",")) return false;
      if (!Int(&(*out)[i])) return false;
    }
    return Lit("]");
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

void StatsRecordToText(const StatsRecord& r, std::string* out) {
  // The members in nlohmann's order (its objects are std::maps), each value as dump() writes it.
  out->clear();
  out->append("{\"breakdowns\":{");
  for (const auto& [field, values] : r.breakdowns) {
    AppendCanonicalJsonString(out, field);
    out->append(":[");
    for (const std::string& v : values) {
      AppendCanonicalJsonString(out, v);
      out->push_back(',');
    }
    if (!values.empty()) out->pop_back();
    out->append("],");
  }
  if (!r.breakdowns.empty()) out->pop_back();
  out->append("},\"counterpart\":");
  AppendCanonicalJsonString(out, r.counterpart_value);
  out->append(",\"day\":");
  AppendCanonicalJsonString(out, r.created_day);
  out->append(",\"entered\":[");
  for (size_t i = 0; i < r.phase_entered_us.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendInt(out, r.phase_entered_us[i]);
  }
  out->append("],\"id\":");
  AppendCanonicalJsonString(out, r.request_id);
  out->append(",\"lapsed\":");
  AppendBool(out, r.lapsed_now);
  out->append(",\"lapses\":{");
  for (const auto& [deadline, n] : r.lapses) {
    AppendCanonicalJsonString(out, deadline);
    out->push_back(':');
    AppendInt(out, n);
    out->push_back(',');
  }
  if (!r.lapses.empty()) out->pop_back();
  out->append("},\"parties\":{");
  for (const auto& [side, authority] : r.parties) {
    AppendCanonicalJsonString(out, side);
    out->push_back(':');
    AppendCanonicalJsonString(out, authority);
    out->push_back(',');
  }
  if (!r.parties.empty()) out->pop_back();
  out->append("},\"phase\":");
  AppendInt(out, static_cast<int>(r.phase));
  out->append(",\"requesting_side\":");
  AppendCanonicalJsonString(out, r.requesting_side);
  out->append(",\"state\":");
  AppendCanonicalJsonString(out, r.state);
  out->append(",\"terminal\":");
  AppendBool(out, r.terminal);
  out->append(",\"version\":");
  AppendInt(out, r.version);
  out->append(",\"workflow\":");
  AppendCanonicalJsonString(out, r.workflow);
  out->push_back('}');
}

std::string StatsRecordToText(const StatsRecord& r) {
  std::string out;
  StatsRecordToText(r, &out);
  return out;
}

bool ReadStatsRecordFast(std::string_view text, StatsRecord* out) {
  return FastReader(text).Record(out);
}

Result<StatsRecord> ReadStatsRecordJson(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("bad statistics record");
  try {
    StatsRecord r;
    r.request_id = j.at("id").get<std::string>();
    r.workflow = j.at("workflow").get<std::string>();
    r.version = j.at("version").get<int>();
    r.created_day = j.at("day").get<std::string>();
    r.state = j.at("state").get<std::string>();
    const int phase = j.at("phase").get<int>();
    if (phase < 0 || phase >= kPhaseCount) return InvalidArgumentError("bad statistics phase");
    r.phase = static_cast<Phase>(phase);
    r.terminal = j.at("terminal").get<bool>();
    r.lapsed_now = j.at("lapsed").get<bool>();
    r.breakdowns = j.at("breakdowns").get<std::map<std::string, std::vector<std::string>>>();
    r.counterpart_value = j.at("counterpart").get<std::string>();
    r.requesting_side = j.at("requesting_side").get<std::string>();
    r.parties = j.at("parties").get<std::map<std::string, std::string>>();
    r.lapses = j.at("lapses").get<std::map<std::string, int64_t>>();
    r.phase_entered_us = j.at("entered").get<std::array<int64_t, kPhaseCount>>();
    return r;
  } catch (const nlohmann::json::exception&) {
    return InvalidArgumentError("bad statistics record");
  }
}

Result<StatsRecord> StatsRecordFromText(const std::string& text) {
  // A step reads the record its previous step wrote: the fast reader's shape, nearly always.
  StatsRecord r;
  if (ReadStatsRecordFast(text, &r)) return r;
  return ReadStatsRecordJson(text);
}

}  // namespace rogatory
