#!/usr/bin/env python3
"""How long fdatasync takes after a commit's worth of WAL frames, appended to a growing file or
overwriting the start of one already written; and how long the frames take to write, two write
calls per frame as SQLite's VFS makes them or one call for the whole commit
(docs/performance.md, "Session 14").

SQLite writes each WAL frame as two pwrite calls (its 24-byte header, then the page) and flushes
with fdatasync. A WAL that never restarts is appended to for ever, and the flush must then also
journal the file's new size and extents; a WAL that restarts overwrites blocks already there.

    tests/bench/wal_flush_bench.py [DIR]      DIR: where the scratch file goes (default /tmp)

Environment: COMMITS (1500 per measurement), PAGES ("1 10 35 67": frames per commit).
"""
import os
import sys
import time

FRAME = 24 + 4096
REGION = 64 * 1024 * 1024  # the overwritten file: 64 MiB, written and flushed once first


def measure(path, mode, pages, commits):
    chunk = pages * FRAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = os.urandom(chunk)
        if mode == "overwrite":
            block = os.urandom(1 << 20)
            for off in range(0, REGION, 1 << 20):
                os.pwrite(fd, block, off)
            os.fsync(fd)
        writes, flushes, off = [], [], 0
        for _ in range(commits):
            t0 = time.perf_counter()
            for j in range(0, chunk, FRAME):
                os.pwrite(fd, data[j:j + 24], off + j)
                os.pwrite(fd, data[j + 24:j + FRAME], off + j + 24)
            t1 = time.perf_counter()
            os.fdatasync(fd)
            t2 = time.perf_counter()
            writes.append(t1 - t0)
            flushes.append(t2 - t1)
            off += chunk
            if mode == "overwrite" and off + chunk > REGION:
                off = 0
    finally:
        os.close(fd)
        os.unlink(path)
    writes.sort()
    flushes.sort()
    n = len(flushes)
    return writes[n // 2] * 1e3, flushes[n // 2] * 1e3, flushes[int(n * 0.99)] * 1e3


def write_calls(path, pages, commits):
    """Median time to write `pages` frames into a file already written: two calls a frame, one."""
    chunk = pages * FRAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = os.urandom(chunk)
        os.pwrite(fd, os.urandom(REGION), 0)
        os.fsync(fd)
        result = {}
        for mode in ("per frame", "one call"):
            times, off = [], 0
            for _ in range(commits):
                t0 = time.perf_counter()
                if mode == "per frame":
                    for j in range(0, chunk, FRAME):
                        os.pwrite(fd, data[j:j + 24], off + j)
                        os.pwrite(fd, data[j + 24:j + FRAME], off + j + 24)
                else:
                    os.pwrite(fd, data, off)
                times.append(time.perf_counter() - t0)
                off += chunk
                if off + chunk > REGION:
                    off = 0
            times.sort()
            result[mode] = times[len(times) // 2] * 1e3
        return result
    finally:
        os.close(fd)
        os.unlink(path)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
    path = os.path.join(directory, "wal-flush-bench-%d.bin" % os.getpid())
    commits = int(os.environ.get("COMMITS", "1500"))
    pages = [int(p) for p in os.environ.get("PAGES", "1 10 35 67").split()]
    print("pages  mode       write_p50_ms  fdatasync_p50_ms  fdatasync_p99_ms")
    for p in pages:
        for mode in ("append", "overwrite"):
            w, f50, f99 = measure(path, mode, p, commits)
            print("%5d  %-9s  %12.3f  %16.3f  %16.3f" % (p, mode, w, f50, f99))
    print()
    print("pages  two_calls_per_frame_p50_ms  one_call_p50_ms")
    for p in pages:
        r = write_calls(path, p, commits)
        print("%5d  %26.3f  %15.3f" % (p, r["per frame"], r["one call"]))


if __name__ == "__main__":
    main()
