#include "checkpointer.h"

#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include "commit_stages.h"
#include "connection.h"
#include "sqlite_handle.h"

namespace rogatory::store_internal {
namespace {

sqlite_api::sqlite3* Handle(Connection& c) { return SqliteHandle(c.sql()); }

}  // namespace

Checkpointer::Checkpointer(int wal_pages, std::chrono::milliseconds idle)
    : wal_pages_(wal_pages < 1 ? 1 : wal_pages), idle_(idle) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Start(std::unique_ptr<Connection> conn) {
  conn_ = std::move(conn);
  thread_ = std::thread([this] { Run(); });
}

void Checkpointer::Watch(Connection& conn) {
  sqlite_api::sqlite3* handle = Handle(conn);
  // 0 turns the automatic checkpoint off; the hook below replaces it (they share one slot, so
  // the order matters).
  sqlite_api::sqlite3_wal_autocheckpoint(handle, 0);
  sqlite_api::sqlite3_wal_hook(
      handle,
      [](void* self, sqlite_api::sqlite3* d, const char* name, int pages) {
        return OnCommit(self, d, name, pages);
      },
      this);
}

int Checkpointer::OnCommit(void* self, void*, const char*, int wal_pages) {
  static_cast<Checkpointer*>(self)->Committed(wal_pages);
  return 0;  // SQLITE_OK
}

void Checkpointer::Committed(int wal_pages) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    // A WAL shorter than what was copied has restarted from its beginning.
    if (wal_pages < copied_upto_) copied_upto_ = 0;
    wal_length_ = wal_pages;
    wake = wal_length_ - copied_upto_ >= wal_pages_;
  }
  if (wake) cv_.notify_one();
}

int64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

void Checkpointer::CatchUp(Connection& writer) {
  if (!catch_up_wanted_.load(std::memory_order_acquire)) return;
  catch_up_wanted_.store(false, std::memory_order_relaxed);
  int log = 0;
  int copied = 0;
  int rc = 0;
  {
    StageTimer timer(CommitStage::kCatchUp);
    // PASSIVE again: if the background thread is checkpointing now (SQLITE_BUSY) or a reader
    // still needs old frames, this copies what it can and the WAL restarts another time.
    rc = sqlite_api::sqlite3_wal_checkpoint_v2(Handle(writer), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                               &log, &copied);
  }
  std::lock_guard lock(mu_);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    spdlog::warn("store: WAL checkpoint failed: {}", sqlite_api::sqlite3_errstr(rc));
  } else if (copied >= 0) {
    copied_upto_ = copied;
  }
}

void Checkpointer::Run() {
  sqlite_api::sqlite3* db = Handle(*conn_);
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, idle_, [&] { return stop_ || wal_length_ - copied_upto_ >= wal_pages_; });
    if (stop_) break;
    if (wal_length_ <= copied_upto_) continue;  // nothing new since the last checkpoint
    lock.unlock();
    int log = 0;
    int copied = 0;
    int rc = 0;
    {
      StageTimer timer(CommitStage::kCheckpoint);
      // PASSIVE: copies what no reader still needs, never waits for a reader or the writer and
      // never calls the busy handler. What it cannot copy now, a later one will.
      rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                                 &copied);
    }
    lock.lock();
    ++checkpoints_;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("store: WAL checkpoint failed: {}", sqlite_api::sqlite3_errstr(rc));
    } else if (copied >= 0) {
      copied_upto_ = copied;  // a WAL that restarted meanwhile resets it (Committed)
      if (log >= wal_pages_) catch_up_wanted_.store(true, std::memory_order_release);
    }
  }
}

}  // namespace rogatory::store_internal
