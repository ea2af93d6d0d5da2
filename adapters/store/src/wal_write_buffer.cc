#include "wal_write_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

namespace rogatory::store_internal {
namespace {

// A WAL frame header: page number, then the database size after a commit (non-zero only in a
// transaction's last frame), salts and checksums.
constexpr int kFrameHeader = 24;
// Gathered bytes are handed over at least this often (a very large transaction), in pieces of
// at most kMaxPiece.
constexpr size_t kMaxGathered = 4 << 20;
constexpr size_t kMaxPiece = 64 << 10;

sqlite3_vfs* g_real = nullptr;  // SQLite's default VFS, which this one wraps
sqlite3_vfs g_vfs;

// What a wrapped WAL file keeps after SQLite's own file structure (which comes first, so that
// SQLite's methods work on the same pointer).
struct Gather {
  const sqlite3_io_methods* real = nullptr;
  std::string bytes;          // contiguous writes not yet handed over
  sqlite3_int64 offset = 0;   // where `bytes` starts in the file
  bool commit_frame = false;  // the last frame header written ends a transaction
};

size_t RealSize() { return (static_cast<size_t>(g_real->szOsFile) + 7) & ~static_cast<size_t>(7); }
Gather* GatherOf(sqlite3_file* f) {
  return reinterpret_cast<Gather*>(reinterpret_cast<char*>(f) + RealSize());
}
const sqlite3_io_methods* Real(sqlite3_file* f) { return GatherOf(f)->real; }

int Hand(sqlite3_file* f) {
  Gather* g = GatherOf(f);
  int rc = SQLITE_OK;
  // SQLite's unix VFS writes at most 128 KiB - 1 per call (it masks the length), so the
  // gathered bytes go in pieces no longer than kMaxPiece.
  for (size_t at = 0; at < g->bytes.size() && rc == SQLITE_OK; at += kMaxPiece) {
    const size_t n = std::min(kMaxPiece, g->bytes.size() - at);
    rc = g->real->xWrite(f, g->bytes.data() + at, static_cast<int>(n),
                         g->offset + static_cast<sqlite3_int64>(at));
  }
  g->bytes.clear();
  return rc;
}

int Close(sqlite3_file* f) {
  Gather* g = GatherOf(f);
  const sqlite3_io_methods* real = g->real;
  const int handed = Hand(f);
  const int rc = real->xClose(f);
  g->~Gather();
  return handed != SQLITE_OK ? handed : rc;
}

int Read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xRead(f, out, amount, offset);
}

int Write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  Gather* g = GatherOf(f);
  if (!g->bytes.empty() && offset != g->offset + static_cast<sqlite3_int64>(g->bytes.size())) {
    const int rc = Hand(f);
    if (rc != SQLITE_OK) return rc;
  }
  if (g->bytes.empty()) g->offset = offset;
  const auto* p = static_cast<const unsigned char*>(data);
  g->bytes.append(reinterpret_cast<const char*>(p), static_cast<size_t>(amount));
  if (amount == kFrameHeader) {
    g->commit_frame = (p[4] | p[5] | p[6] | p[7]) != 0;
    return SQLITE_OK;
  }
  // The page after a commit frame's header ends the transaction's frames: hand them over now,
  // before SQLite flushes the file or publishes the frames in the shared index.
  if (g->commit_frame || g->bytes.size() >= kMaxGathered) {
    g->commit_frame = false;
    return Hand(f);
  }
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xTruncate(f, size);
}

int Sync(sqlite3_file* f, int flags) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xSync(f, flags);
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xFileSize(f, size);
}

int Lock(sqlite3_file* f, int level) { return Real(f)->xLock(f, level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->xUnlock(f, level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return Real(f)->xCheckReservedLock(f, out); }
int FileControl(sqlite3_file* f, int op, void* arg) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xFileControl(f, op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->xSectorSize(f); }
int DeviceCharacteristics(sqlite3_file* f) { return Real(f)->xDeviceCharacteristics(f); }
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->xShmMap(f, region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->xShmLock(f, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->xShmBarrier(f); }
int ShmUnmap(sqlite3_file* f, int delete_flag) { return Real(f)->xShmUnmap(f, delete_flag); }
int Fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  const int rc = Hand(f);
  return rc != SQLITE_OK ? rc : Real(f)->xFetch(f, offset, amount, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return Real(f)->xUnfetch(f, offset, p);
}

const sqlite3_io_methods kWalMethods = {3,
                                        Close,
                                        Read,
                                        Write,
                                        Truncate,
                                        Sync,
                                        FileSize,
                                        Lock,
                                        Unlock,
                                        CheckReservedLock,
                                        FileControl,
                                        SectorSize,
                                        DeviceCharacteristics,
                                        ShmMap,
                                        ShmLock,
                                        ShmBarrier,
                                        ShmUnmap,
                                        Fetch,
                                        Unfetch};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  const int rc = g_real->xOpen(g_real, name, f, flags, out_flags);
  // Wrap only a WAL that SQLite's VFS opened with the methods this wrapper knows how to pass on.
  if (rc != SQLITE_OK || (flags & SQLITE_OPEN_WAL) == 0 || f->pMethods == nullptr ||
      f->pMethods->iVersion < 3) {
    return rc;
  }
  Gather* g = new (GatherOf(f)) Gather;
  g->real = f->pMethods;
  f->pMethods = &kWalMethods;
  return SQLITE_OK;
}

// The rest of the VFS is SQLite's own.
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real->xDelete(g_real, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_real->xDlSym(g_real, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { g_real->xDlClose(g_real, handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int Sleep(sqlite3_vfs*, int micros) { return g_real->xSleep(g_real, micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_real->xCurrentTimeInt64(g_real, out);
}
int SetSystemCall(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
  return g_real->xSetSystemCall(g_real, name, call);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs*, const char* name) {
  return g_real->xGetSystemCall(g_real, name);
}
const char* NextSystemCall(sqlite3_vfs*, const char* name) {
  return g_real->xNextSystemCall(g_real, name);
}

int Install() {
  // ROGATORY_SQLITE_WAL_BUFFER=off leaves SQLite's own VFS alone (docs/operations.md).
  if (const char* env = std::getenv("ROGATORY_SQLITE_WAL_BUFFER");
      env != nullptr && std::string(env) == "off") {
    return SQLITE_OK;
  }
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr) return SQLITE_ERROR;
  if (g_real->iVersion < 3) return SQLITE_OK;  // an unknown VFS: leave it alone
  g_vfs = sqlite3_vfs{};
  g_vfs.iVersion = 3;
  g_vfs.szOsFile = static_cast<int>(RealSize() + sizeof(Gather));
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = "rogatory-wal-write-buffer";
  g_vfs.xOpen = Open;
  g_vfs.xDelete = Delete;
  g_vfs.xAccess = Access;
  g_vfs.xFullPathname = FullPathname;
  g_vfs.xDlOpen = DlOpen;
  g_vfs.xDlError = DlError;
  g_vfs.xDlSym = DlSym;
  g_vfs.xDlClose = DlClose;
  g_vfs.xRandomness = Randomness;
  g_vfs.xSleep = Sleep;
  g_vfs.xCurrentTime = CurrentTime;
  g_vfs.xGetLastError = GetLastError;
  g_vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  g_vfs.xSetSystemCall = SetSystemCall;
  g_vfs.xGetSystemCall = GetSystemCall;
  g_vfs.xNextSystemCall = NextSystemCall;
  return sqlite3_vfs_register(&g_vfs, 1);
}

}  // namespace

int InstallWalWriteBuffer() {
  static const int rc = Install();
  return rc;
}

}  // namespace rogatory::store_internal
