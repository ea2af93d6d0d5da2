// Whole-day clocks (CONTRACT §7 `counting: days`) through the real `rogatory serve` with a
// `time_zone` in its config: a clock started now is due at 24:00 Baghdad time (UTC+3 all year)
// of the 10th day after today there, the definition serves `counting: days`, and an unknown zone
// stops the start with the key named.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "api.h"

namespace rogatory::e2e {
namespace {

using nlohmann::json;

std::string WriteDaysConfig(const std::string& dir, const std::string& zone) {
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/rogatory.yaml";
  std::ofstream(path) << "listen: 127.0.0.1:0\n"
                      << "store: \"" << FreshStoreUrl() << "\"\n"
                      << "workflows: \"" << ROGATORY_E2E_DAYS_WORKFLOWS << "\"\n"
                      << "time_zone: " << zone << "\n"
                      << "auth:\n  tokens:\n"
                      << "    - {actor: carla.clerk, roles: [clerk], sha256: \""
                      << Sha256Hex(kClerkToken) << "\"}\n"
                      << "log: {format: json, level: info}\n";
  return path;
}

// 24:00 in Baghdad (UTC+3) of the 10th day after the Baghdad date of `t`, as seconds since the
// epoch: the due time of P10D counted in whole days from `t`.
int64_t BaghdadDueSeconds(std::chrono::system_clock::time_point t) {
  constexpr int64_t kDay = 86400, kOffset = 3 * 3600;
  const int64_t local =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() + kOffset;
  const int64_t local_day = local / kDay;
  return (local_day + 11) * kDay - kOffset;
}

TEST(DaysE2eTest, AWholeDayClockEndsAtMidnightInTheConfiguredZone) {
  const std::string dir = MakeTempDir("rogatory-e2e-days");
  ServerProcess server(dir + "/server");
  ASSERT_EQ(server.StartWithConfigFile(WriteDaysConfig(dir, "Asia/Baghdad"), {}), "");
  EXPECT_NE(server.Log().find("Asia/Baghdad"), std::string::npos) << server.Log();
  Api api(server.port());

  Answer def = api.Get("/v1/workflows/whole_days", kClerkToken);
  ASSERT_EQ(def.status, 200) << def.text;
  EXPECT_EQ(def.json["deadlines"]["decide_10d"]["counting"], "days");

  Answer created = api.Post("/v1/requests", kClerkToken, json{{"workflow", "whole_days"}});
  ASSERT_EQ(created.status, 201) << created.text;
  const std::string id = created.json.value("id", "");
  const auto before = std::chrono::system_clock::now();
  Answer fired =
      api.Post("/v1/requests/" + id + "/events", kClerkToken, json{{"event", "receive"}});
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(fired.status, 200) << fired.text;

  Answer got = api.Get("/v1/requests/" + id, kClerkToken);
  ASSERT_EQ(got.status, 200) << got.text;
  std::string due;
  for (const auto& d : got.json["deadlines"]) {
    if (d.value("name", "") == "decide_10d") due = d.value("due_at", "");
  }
  ASSERT_FALSE(due.empty()) << got.text;
  // The Baghdad date may turn between the two readings; the due time is one of theirs.
  auto format = [](int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return std::string(buf);
  };
  const std::string first = format(BaghdadDueSeconds(before));
  const std::string second = format(BaghdadDueSeconds(after));
  EXPECT_TRUE(due == first || due == second) << due << " vs " << first << " / " << second;
  EXPECT_NE(due.find("T21:00:00.000Z"), std::string::npos) << due;  // 24:00 at UTC+3
}

TEST(DaysE2eTest, AnUnknownTimeZoneStopsTheStartNamingTheKey) {
  const std::string dir = MakeTempDir("rogatory-e2e-days-bad");
  const std::string config = WriteDaysConfig(dir, "Europe/Pariss");
  std::string output;
  const int code = RunRogatory({"serve", "--config", config}, dir, &output);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find(config + ":4: time_zone: unknown time zone 'Europe/Pariss'"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace rogatory::e2e
