// Bad UTF-8 from an embedder or a workflow file: refused with a clear error where it comes in,
// never an exception out of an API that promises a Status, never stored.
#include "utf8.h"

#include <filesystem>
#include <fstream>

#include "test_engine.h"

namespace rogatory::testing {
namespace {

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Rechtshilfe \xc3\xbc \xe2\x82\xac \xf0\x9f\x93\x9c"));
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xe0\x80\xaf"), 1u);     // overlong, three bytes
  EXPECT_EQ(FindInvalidUtf8("\xed\xa0\x80"), 0u);      // a surrogate
  EXPECT_EQ(FindInvalidUtf8("\xf4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xe2\x82"), 2u);        // cut short
  EXPECT_EQ(FindInvalidUtf8("\xc3\x28"), 0u);          // bad continuation
}

// The scan skips eight ASCII bytes at a time: a bad byte (or a sequence cut short) is found
// at every position around and across those words, and good text past them still passes.
TEST(Utf8Test, FindsBadBytesAtEveryPositionAroundTheAsciiFastPath) {
  for (size_t at = 0; at < 20; ++at) {
    std::string text(24, 'a');
    text[at] = '\xff';
    EXPECT_EQ(FindInvalidUtf8(text), at) << at;
    text[at] = 'a';
    text.replace(at, 2, "\xc3\xbc");  // a good two-byte sequence anywhere
    EXPECT_TRUE(IsValidUtf8(text)) << at;
    text.resize(at + 1);  // ... cut after its first byte
    EXPECT_EQ(FindInvalidUtf8(text), at) << at;
  }
  EXPECT_EQ(FindInvalidUtf8(std::string(16, 'a') + "\xe2\x82"), 16u);
  EXPECT_TRUE(CheckJsonUtf8(nlohmann::json::object(), "data").ok());
  EXPECT_TRUE(CheckJsonUtf8(nlohmann::json(), "data").ok());
  EXPECT_FALSE(CheckJsonUtf8(nlohmann::json{{"k", std::string(9, 'a') + "\xff"}}, "data").ok());
}

TEST(Utf8Test, WorkflowFileWithBadBytesIsRefusedAtTheirLine) {
  std::string yaml = kTestWorkflow;
  yaml.replace(yaml.find("title: Test EIO"), 15, "title: Test \xff\xfe EIO");
  LoadReport report = ParseDefinition(yaml, "bad.yaml");
  ASSERT_FALSE(report.ok());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].ToString(), "bad.yaml:3: invalid UTF-8");
  // In a description further down, from a file.
  yaml = kTestWorkflow;
  yaml.replace(yaml.find("  urgent:"), 0, "  note: {type: string, description: \"caf\xe9\"}\n");
  const auto path = std::filesystem::temp_directory_path() / "rogatory_utf8_test.yaml";
  std::ofstream(path, std::ios::binary) << yaml;
  report = LoadDefinitions({path.string()});
  std::filesystem::remove(path);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].ToString(), path.string() + ":8: invalid UTF-8");
  EXPECT_TRUE(report.definitions.empty());
}

TEST(Utf8Test, DefinitionBuiltInCodeWithBadBytesIsNotLoaded) {
  TestEngine env;
  WorkflowDefinition def = MustParse(kTestWorkflow);
  def.version = 2;
  def.title = "Test \xff";
  def.states[1].description = "\xc0\xaf";
  std::vector<DefinitionError> errors = ValidateDefinition(def);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0].message, ::testing::HasSubstr("invalid UTF-8 in the title"));
  EXPECT_THAT(errors[1].message, ::testing::HasSubstr("invalid UTF-8 in a state description"));
  EXPECT_EQ(env.engine().LoadDefinition(def).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(env.engine().ListWorkflows().size(), 1u);
}

TEST(Utf8Test, CreateWithBadBytesAnywhereIsInvalidArgumentAndStoresNothing) {
  TestEngine env;
  auto attempt = [&](auto change) {
    CreateCall call;
    call.workflow = "test_eio";
    call.data = {{"issuing_state", "DE"}};
    call.references = {{"issuing", "DE-1"}};
    call.idempotency_key = "k-1";
    change(call);
    return env.engine().Create(call, Prosecutor());
  };
  for (auto r : {attempt([](CreateCall& c) { c.data["issuing_state"] = "D\xff"; }),
                 attempt([](CreateCall& c) {
                   c.data["measures"] = {"ok", "\xfe"};
                 }),
                 attempt([](CreateCall& c) { c.data["\xff"] = "x"; }),
                 attempt([](CreateCall& c) { c.references["issuing"] = "\xc3"; }),
                 attempt([](CreateCall& c) { c.comment = "\xed\xa0\x80"; }),
                 attempt([](CreateCall& c) { c.idempotency_key = "k\x80"; })}) {
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr("invalid UTF-8"));
  }
  Actor odd{"ana\xff", {"prosecutor"}, ""};
  CreateCall call;
  call.workflow = "test_eio";
  call.data = {{"issuing_state", "DE"}};
  EXPECT_THAT(env.engine().Create(call, odd), StatusIs(StatusCode::kInvalidArgument));
  RequestQuery q;
  EXPECT_TRUE(env.engine().List(q)->items.empty());
}

TEST(Utf8Test, FireAndMigrateWithBadBytesAreInvalidArgumentAndChangeNothing) {
  TestEngine env;
  RequestId id = env.Create();
  EventCall call;
  call.event = "issue";
  call.data = {{"executing_state", "F\xff"}};
  EXPECT_THAT(env.engine().Fire(id, call, Prosecutor()), StatusIs(StatusCode::kInvalidArgument));
  call.data = {{"executing_state", "FR"}};
  call.comment = "bad \xff";
  EXPECT_THAT(env.engine().Fire(id, call, Prosecutor()), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_TRUE(env.engine()
                  .LoadDefinition(MustParse([] {
                    std::string yaml = kTestWorkflow;
                    yaml.replace(yaml.find("version: 1"), 10, "version: 2");
                    return yaml;
                  }()))
                  .ok());
  MigrationCall m;
  m.target_version = 2;
  m.comment = "\xff";
  EXPECT_THAT(env.engine().Migrate(id, m, Actor{"admin", {"admin"}, ""}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(env.engine().Get(id)->revision, 1);
  EXPECT_EQ(env.engine().History(id)->size(), 1u);
}

}  // namespace
}  // namespace rogatory::testing
