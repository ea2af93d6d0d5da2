#!/usr/bin/env python3
"""Which tables and indexes a commit's WAL frames belong to (docs/performance.md, "Session 14").

Give it a copy of an SQLite database and of its WAL taken together while a writer runs (stop the
writer with SIGSTOP, copy DB and DB-wal, SIGCONT). It decodes the frame headers of the WAL's
current generation (those whose salts match the WAL header), groups them into commits (a frame
with a non-zero database size ends one), maps each page number to its table or index with
SQLite's `dbstat` on a scratch copy, and prints the frames per commit by table.

    tests/bench/wal_pages.py DB        (DB-wal must sit beside DB)
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile


def commits_of(wal):
    _, _, page_size, _, salt1, salt2, _, _ = struct.unpack(">8I", wal[:32])
    commits, current, off = [], [], 32
    while off + 24 + page_size <= len(wal):
        page, db_size, s1, s2 = struct.unpack(">4I", wal[off:off + 16])
        if (s1, s2) != (salt1, salt2):
            break  # an older generation of the WAL from here on
        current.append(page)
        if db_size:
            commits.append(current)
            current = []
        off += 24 + page_size
    return commits


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = sys.argv[1]
    with open(db + "-wal", "rb") as f:
        commits = commits_of(f.read())
    if not commits:
        sys.exit("wal_pages: no whole commit in " + db + "-wal")
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, "copy.db")
        shutil.copy(db, copy)
        shutil.copy(db + "-wal", copy + "-wal")
        names = dict(sqlite3.connect(copy).execute("SELECT pageno, name FROM dbstat"))
    frames = collections.Counter()
    for commit in commits:
        for page in commit:
            frames[names.get(page, "?")] += 1
    total = sum(len(c) for c in commits)
    print("%d commits, %.1f frames per commit" % (len(commits), total / len(commits)))
    for name, n in frames.most_common():
        print("%-32s %6.1f frames per commit" % (name, n / len(commits)))


if __name__ == "__main__":
    main()
