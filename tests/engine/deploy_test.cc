// Definitions added while the engine runs (issue 10): deployed by an actor, found by another
// engine over the same store on a miss or by a sync, and added while other threads fire.
#include <atomic>
#include <thread>
#include <vector>

#include "test_engine.h"

namespace rogatory::testing {
namespace {

std::string Version(int version) {
  std::string yaml = kTestWorkflow;
  yaml.replace(yaml.find("version: 1"), 10, "version: " + std::to_string(version));
  return yaml;
}

Actor Admin() { return Actor{"ops.admin", {"admin"}, ""}; }

TEST(DeployTest, DeployIsIdempotentAndRefusesAnotherTextForALoadedVersion) {
  TestEngine env;
  Result<bool> first = env.engine().DeployDefinition(MustParse(Version(2)), Admin());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  Result<bool> again = env.engine().DeployDefinition(MustParse(Version(2)), Admin());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(*again);
  WorkflowDefinition changed = MustParse(Version(2) + "# changed\n");
  EXPECT_EQ(env.engine().CheckDefinition(changed).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env.engine().DeployDefinition(changed, Admin()).status().code(),
            StatusCode::kAlreadyExists);
  auto list = env.engine().ListWorkflows();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].origin, "file:test.yaml");
  EXPECT_EQ(list[1].origin, "api:ops.admin");
  EXPECT_EQ(list[1].loaded_at, T0());
}

TEST(DeployTest, AnotherEngineOnTheSameStoreFindsADeployedVersionOnAMissOrBySync) {
  TestEngine a;
  std::shared_ptr<Store> shared(&a.store(), [](Store*) {});
  Engine b(EngineOptions{shared, std::make_shared<ManualClock>(T0())});
  ASSERT_TRUE(b.SyncDefinitions().ok());
  ASSERT_EQ(b.ListWorkflows().size(), 1u);  // version 1, recorded by `a` from its file

  ASSERT_TRUE(a.engine().DeployDefinition(MustParse(Version(2)), Admin()).ok());
  CreateCall call;
  call.workflow = "test_eio";
  call.version = 2;
  call.data = {{"issuing_state", "DE"}};
  Result<Request> created = b.Create(call, Prosecutor());  // a miss: asked of the store
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->version, 2);

  ASSERT_TRUE(a.engine().DeployDefinition(MustParse(Version(3)), Admin()).ok());
  Result<DefinitionSync> sync = b.SyncDefinitions();
  ASSERT_TRUE(sync.ok()) << sync.status().ToString();
  EXPECT_EQ(sync->loaded, 1);
  EXPECT_TRUE(sync->refused.empty());
  auto list = b.ListWorkflows();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[2].version, 3);
  EXPECT_EQ(list[2].origin, "api:ops.admin");
  // Another text for a version `a` recorded is refused by `b` too (the store decides).
  EXPECT_EQ(b.DeployDefinition(MustParse(Version(4)), Admin()).status().code(), StatusCode::kOk);
  EXPECT_EQ(
      a.engine().DeployDefinition(MustParse(Version(4) + "# other\n"), Admin()).status().code(),
      StatusCode::kAlreadyExists);
  EXPECT_EQ(b.GetDefinition("test_eio", 9).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(b.GetDefinition("nothing").status().code(), StatusCode::kNotFound);
}

// Definitions are read on every step; adding versions meanwhile must not disturb them (run
// under TSan in the sanitizer presets).
TEST(DeployTest, DeployingWhileOtherThreadsCreateAndFireIsSafe) {
  TestEngine env;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      while (!done.load()) {
        CreateCall call;
        call.workflow = "test_eio";
        call.data = {{"issuing_state", "DE"}};
        Result<Request> r = env.engine().Create(call, Prosecutor());
        if (!r.ok() || !env.engine().ListWorkflows().size()) ++failures;
      }
    });
  }
  for (int v = 2; v <= 30; ++v) {
    ASSERT_TRUE(env.engine().DeployDefinition(MustParse(Version(v)), Admin()).ok());
  }
  done = true;
  for (auto& t : workers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(env.engine().ListWorkflows().size(), 30u);
}

}  // namespace
}  // namespace rogatory::testing
