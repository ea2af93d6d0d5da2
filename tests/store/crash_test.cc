// Crash safety: a child process fires events from several threads on a SQLite file, printing
// every acknowledged (request, revision) to a pipe; the parent SIGKILLs it at a random moment,
// opens the database again and checks that every acknowledged step is there, whole: its history
// entry, its outbox row, a request row that agrees with its history, and hash chains that
// verify. Many rounds on the same file, so recovery after recovery is exercised too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "rogatory/definition_loader.h"
#include "rogatory/engine.h"
#include "rogatory/history.h"
#include "rogatory/sql_store.h"

namespace rogatory {
namespace {

constexpr int kRounds = 20;
constexpr int kThreads = 4;

// The child: runs requests through their lifecycle until it is killed. Never returns.
[[noreturn]] void RunChild(const std::string& url, const WorkflowDefinition& def, int out,
                           const SqlStoreOptions& options) {
  Result<std::unique_ptr<Store>> opened = OpenStore(url, options);
  if (!opened.ok()) _exit(3);
  std::shared_ptr<Store> store = std::move(opened).value();
  Subscription sub;
  sub.id = "crash-sub";
  sub.url = "https://consumer.example/hook";
  sub.secret = "whsec_c2VjcmV0";
  (void)store->CreateSubscription(sub);  // AlreadyExists after the first round
  Engine engine(EngineOptions{store, nullptr});
  if (!engine.LoadDefinition(def).ok()) _exit(4);
  const Actor clerk{"cleo.clerk", {"clerk"}, ""};
  auto ack = [out](const Request& r) {
    const std::string line = r.id + " " + std::to_string(r.revision) + "\n";
    // One write per line, shorter than PIPE_BUF: lines never interleave or tear.
    if (write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        CreateCall create;
        create.workflow = "store_mla";
        create.data = {{"issuing_state", "AT"}};
        Result<Request> r = engine.Create(create, clerk);
        if (!r.ok()) _exit(6);
        ack(*r);
        for (const char* event : {"issue", "transmit", "note", "note", "execute", "close"}) {
          EventCall call;
          call.event = event;
          Result<Request> after = engine.Fire(r->id, call, clerk);
          if (!after.ok()) _exit(7);
          ack(*after);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

// Reads what the child acknowledged until `kill_at` (then kills it) and until the pipe closes.
// The kill waits, if need be, until `may_kill` holds (or the 20 s limit passes).
std::map<std::string, int64_t> CollectAcks(int in, pid_t child, std::mt19937& rng,
                                           const std::function<bool()>& may_kill) {
  std::map<std::string, int64_t> acked;
  std::string buffer;
  auto consume = [&] {
    size_t eol;
    while ((eol = buffer.find('\n')) != std::string::npos) {
      std::istringstream line(buffer.substr(0, eol));
      std::string id;
      int64_t revision = 0;
      line >> id >> revision;
      acked[id] = std::max(acked[id], revision);
      buffer.erase(0, eol + 1);
    }
  };
  using Clock = std::chrono::steady_clock;
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  std::optional<Clock::time_point> kill_at;
  bool killed = false;
  char chunk[4096];
  for (;;) {
    if (!killed && kill_at && Clock::now() >= *kill_at && may_kill()) {
      kill(child, SIGKILL);
      killed = true;
    }
    if (!killed && Clock::now() > give_up) {  // the child never got going
      kill(child, SIGKILL);
      killed = true;
    }
    pollfd p{in, POLLIN, 0};
    poll(&p, 1, 5);
    if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
    ssize_t n = read(in, chunk, sizeof chunk);
    if (n <= 0) break;  // EOF: the child is gone
    buffer.append(chunk, static_cast<size_t>(n));
    consume();
    if (!kill_at && !acked.empty()) {
      // Kill at a random moment once steps are flowing.
      kill_at = Clock::now() +
                std::chrono::milliseconds(std::uniform_int_distribution<int>(10, 250)(rng));
    }
  }
  return acked;
}

// Runs `rounds` of kill-and-check on a fresh SQLite file whose children use `options`.
void KillAndCheck(const SqlStoreOptions& options, const std::string& name, int rounds) {
  LoadReport report = LoadDefinitions({std::string(ROGATORY_FIXTURES_DIR) + "/store"});
  ASSERT_TRUE(report.ok()) << report.ErrorText();
  const WorkflowDefinition def = report.definitions.at(0);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rogatory-crash-" + name + "-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string url = "sqlite://" + (dir / "crash.db").string();
  {
    Result<std::unique_ptr<Store>> created = OpenStore(url, options);  // the schema alone
    ASSERT_TRUE(created.ok()) << created.status().ToString();
  }
  const auto schema_only = std::filesystem::file_size(dir / "crash.db");
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, int64_t> all_acked;

  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::fflush(nullptr);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      RunChild(url, def, fds[1], options);
    }
    close(fds[1]);
    // Round 0 of the checkpoint test checks that a checkpoint ran under load, so its kill waits
    // for the first one: on a loaded machine 10 ms of steps may not have crossed a checkpoint.
    const bool check_checkpoint =
        round == 0 && options.background_checkpoints && options.checkpoint_pages == 1;
    const auto checkpointed = [&] {
      std::error_code ec;
      const auto size = std::filesystem::file_size(dir / "crash.db", ec);
      return !ec && size > schema_only;
    };
    std::map<std::string, int64_t> acked =
        CollectAcks(fds[0], child, rng, [&] { return !check_checkpoint || checkpointed(); });
    close(fds[0]);
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "round " << round << ": the child ended by itself (exit "
        << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1) << ")";
    ASSERT_FALSE(acked.empty()) << "round " << round << ": nothing was acknowledged";
    if (check_checkpoint) {
      // Only a checkpoint copies pages into the database file, and the killed child never
      // closed its connections (which checkpoints too): the checkpointer ran under load.
      EXPECT_TRUE(checkpointed()) << "no checkpoint ran in 20 s while the child committed";
    }
    for (const auto& [id, revision] : acked) {
      all_acked[id] = std::max(all_acked[id], revision);
    }

    // Restart on the same database.
    Result<std::unique_ptr<Store>> opened = OpenStore(url);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Store& store = **opened;
    for (const auto& [id, revision] : all_acked) {
      Result<Request> r = store.GetRequest(id);
      ASSERT_TRUE(r.ok()) << "round " << round << ": acknowledged request " << id << " is lost";
      EXPECT_GE(r->revision, revision) << "round " << round << ": " << id << " lost a step";
    }
    // Every stored request is whole, whether or not its last step was acknowledged.
    std::set<std::pair<std::string, int64_t>> outbox;
    DeliveryQuery dq;
    dq.limit = 1000;
    for (;;) {
      Result<DeliveryPage> page = store.ListDeliveries(dq);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const Delivery& d : page->items) outbox.insert({d.request_id, d.revision});
      if (page->next.empty()) break;
      dq.after = page->next;
    }
    RequestQuery q;
    q.limit = 1000;
    int64_t requests = 0;
    for (;;) {
      Result<RequestPage> page = store.ListRequests(q);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      for (const Request& r : page->items) {
        ++requests;
        Result<std::vector<HistoryEntry>> h = store.GetHistory(r.id);
        ASSERT_TRUE(h.ok()) << h.status().ToString();
        ASSERT_FALSE(h->empty());
        Status chain = VerifyHistoryChain(*h);
        EXPECT_TRUE(chain.ok()) << "round " << round << ": " << chain.ToString();
        EXPECT_EQ(r.state, h->back().to_state) << r.id;
        EXPECT_EQ(r.revision, h->back().seq) << r.id;
        EXPECT_EQ(r.head_hash, h->back().hash) << r.id;
        EXPECT_EQ(r.deadlines.empty(), r.state != "transmitted") << r.id;
        for (const HistoryEntry& e : *h) {
          EXPECT_TRUE(outbox.count({r.id, e.seq}))
              << r.id << " seq " << e.seq << " has no outbox row";
        }
      }
      if (page->next.empty()) break;
      q.after = page->next;
    }
    EXPECT_GE(requests, static_cast<int64_t>(all_acked.size()));
  }
  std::filesystem::remove_all(dir);
}

TEST(CrashTest, AcknowledgedStepsSurviveSigkill) {
  KillAndCheck(SqlStoreOptions{}, "default", kRounds);
}

// The background checkpointer copying the WAL after every commit, so kills land during
// checkpoints as often as during commits.
TEST(CrashTest, AcknowledgedStepsSurviveSigkillDuringBackgroundCheckpoints) {
  SqlStoreOptions options;
  options.checkpoint_pages = 1;
  KillAndCheck(options, "checkpoints", kRounds / 2);
}

}  // namespace
}  // namespace rogatory
