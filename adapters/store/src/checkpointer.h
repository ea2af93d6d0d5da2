// Background WAL checkpoints for an SQLite file: commits only append to the WAL and flush it;
// copying the WAL back into the database file (and flushing that) runs on a thread of its own,
// so no commit waits for it. SQLite's automatic checkpoint is turned off on every connection.
#ifndef ROGATORY_ADAPTERS_STORE_CHECKPOINTER_H_
#define ROGATORY_ADAPTERS_STORE_CHECKPOINTER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace rogatory::store_internal {

class Connection;

class Checkpointer {
 public:
  // `wal_pages`: checkpoint once this many pages were appended to the WAL since the last one;
  // `idle`: and at least this often while anything is left to copy.
  Checkpointer(int wal_pages, std::chrono::milliseconds idle);
  // Stops the thread (after the checkpoint it may be running).
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Starts checkpointing on `conn` (an SQLite file connection of its own). Call once.
  void Start(std::unique_ptr<Connection> conn);
  // Installs on a connection that commits: automatic checkpoints off, and each commit tells
  // this checkpointer how long the WAL is. `conn` is on the same SQLite file.
  void Watch(Connection& conn);
  // Checkpoints done so far (PASSIVE: as much as no reader still needs), for tests.
  int64_t checkpoints() const;

  // The writer's share, called on the writer connection `writer` between two write
  // transactions. SQLite starts the WAL again from its beginning only when a write transaction
  // begins with every frame copied back, which a background checkpoint under steady writes never
  // achieves (more frames are committed while it copies): the WAL would grow without end, each
  // commit appending to a longer file, and an append's flush costs the disk twice an overwrite's
  // (the file's size and extents are journaled too). So after each background checkpoint that
  // leaves the WAL past `wal_pages`, the next writer copies the rest itself, briefly (only what
  // was committed while the background one ran), and its transaction restarts the WAL. Does
  // nothing otherwise.
  void CatchUp(Connection& writer);

 private:
  static int OnCommit(void* self, void* db, const char* name, int wal_pages);
  void Committed(int wal_pages);
  void Run();

  const int wal_pages_;
  const std::chrono::milliseconds idle_;
  std::unique_ptr<Connection> conn_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int wal_length_ = 0;       // GUARDED_BY(mu_): WAL pages after the last commit
  int copied_upto_ = 0;      // GUARDED_BY(mu_): WAL pages the last checkpoint had copied
  bool stop_ = false;        // GUARDED_BY(mu_)
  int64_t checkpoints_ = 0;  // GUARDED_BY(mu_)
  std::atomic<bool> catch_up_wanted_{false};
  std::thread thread_;
};

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_CHECKPOINTER_H_
