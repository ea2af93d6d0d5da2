// Issue 16: SQLite's WAL writes go to the file in one call per commit (wal_write_buffer.h), not
// two per frame, and nothing is lost on the way: commits larger than one write call of SQLite's
// own VFS (128 KiB), steps read back after a reopen and by another process on SQLite's own VFS.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "store_test_util.h"

namespace rogatory::testing {
namespace {

// The write system calls this process made so far (Linux: /proc/self/io).
int64_t WriteCalls() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "syscw:") return value;
  }
  return -1;
}

TEST(WalWriteBufferTest, EachCommitIsOneWriteCall) {
  SqlStoreOptions options;
  options.background_checkpoints = false;  // no checkpoint's writes in the count
  TestStore ts(StoreKind::kSqlite, options);
  ASSERT_TRUE(ts.status().ok()) << ts.status().ToString();
  RequestBuilder b("buffered");
  ASSERT_TRUE(ts.store().Apply(b.Create()).ok());
  constexpr int kSteps = 100;
  const int64_t before = WriteCalls();
  ASSERT_GE(before, 0) << "no /proc/self/io";
  for (int i = 0; i < kSteps; ++i) {
    Status s = ts.store().Apply(b.Step("note", "draft", Phase::kDrafting));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  const int64_t calls = WriteCalls() - before;
  // One per commit (100 measured); SQLite's VFS alone makes two per WAL frame, 506 for these
  // 100 commits (ROGATORY_SQLITE_WAL_BUFFER=off).
  EXPECT_LE(calls, kSteps + kSteps / 5) << calls << " write calls for " << kSteps << " commits";
  ASSERT_TRUE(ts.Reopen().ok());
  Result<Request> r = ts.store().GetRequest("buffered");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->revision, kSteps + 1);
}

// What a reader that is not this process sees: Python's sqlite3 module, on SQLite's own VFS,
// reading the request's stored data while the commit is still only in the WAL.
std::string ReadDataWithPython(const std::string& db, const std::string& id) {
  const std::string command =
      "python3 -c \"import json, sqlite3, sys; "
      "row = sqlite3.connect(sys.argv[1]).execute('SELECT data FROM requests WHERE id = ?', "
      "(sys.argv[2],)).fetchone(); sys.stdout.write(json.loads(row[0])['blob'])\" '" +
      db + "' '" + id + "'";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[65536];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(WalWriteBufferTest, ACommitLargerThanOneWriteCallReadsBackWhole) {
  SqlStoreOptions options;
  options.background_checkpoints = false;  // the commit stays in the WAL for the reader below
  TestStore ts(StoreKind::kSqlite, options);
  ASSERT_TRUE(ts.status().ok()) << ts.status().ToString();
  RequestBuilder b("large");
  Mutation m = b.Create();
  // ~600 KiB of data in one commit: its WAL frames span several of SQLite's write calls.
  std::string blob;
  for (int i = 0; blob.size() < 600 * 1024; ++i) blob += std::to_string(i * 7919) + ",";
  m.request.data = {{"blob", blob}};
  ASSERT_TRUE(ts.store().Apply(m).ok());
  std::error_code ec;
  EXPECT_GT(std::filesystem::file_size(ts.sqlite_path() + "-wal", ec), 600u * 1024) << ec;
  EXPECT_TRUE(ReadDataWithPython(ts.sqlite_path(), "large") == blob)
      << "another process does not read the committed data back";
  ASSERT_TRUE(ts.Reopen().ok());
  Result<Request> r = ts.store().GetRequest("large");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->data.at("blob").get<std::string>(), blob);
}

}  // namespace
}  // namespace rogatory::testing
