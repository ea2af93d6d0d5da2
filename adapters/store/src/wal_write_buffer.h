// SQLite writes each WAL frame with two write calls (its 24-byte header, then the page), so a
// commit of N pages costs 2N `pwrite` system calls; on the project's virtual machines each costs
// ~4.5 µs of kernel time, more than the flush of the whole commit (docs/performance.md,
// "Session 14"). This installs, as the process's default SQLite VFS, a thin wrapper around
// SQLite's own that gathers a WAL's contiguous writes in memory and hands them to the file in
// one call: at the end of each commit frame (so the commit is in the file, in its order, before
// SQLite flushes it or shows it to any reader), and before anything else touches the file
// (a read, a sync, a size, a truncation, a close, a write elsewhere). Only WAL files are
// wrapped; the database and its shared-memory index go straight to SQLite's VFS.
#ifndef ROGATORY_ADAPTERS_STORE_WAL_WRITE_BUFFER_H_
#define ROGATORY_ADAPTERS_STORE_WAL_WRITE_BUFFER_H_

namespace rogatory::store_internal {

// Installs the wrapper once (thread-safe), before the first SQLite connection opens. Returns
// SQLite's result code (SQLITE_OK when installed, now or before).
int InstallWalWriteBuffer();

}  // namespace rogatory::store_internal

#endif  // ROGATORY_ADAPTERS_STORE_WAL_WRITE_BUFFER_H_
