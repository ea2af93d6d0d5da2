#!/usr/bin/env python3
"""`rogatory store copy` end to end: a store filled by the real `rogatory serve` (SQLite) through
the API, with requests in every state, running clocks, parties, subscriptions, deliveries (to
Python's http.server answering 204, and dead ones to a closed port), idempotency keys and
statistics, is copied SQLite -> PostgreSQL (the throwaway cluster) -> SQLite, SQLite -> SQLite,
and PostgreSQL -> PostgreSQL from a source whose outbox sequence runs ahead of its rows.
Every table of the schema must hold rows in the source (so a table the copy missed cannot go
unnoticed) and compare equal row by row, values and types, after the round trip. A server on
the PostgreSQL copy answers the same request pages, statistics and deliveries as one on the
source, and numbers its next delivery as the source does. Refusals (a non-empty target, another
schema version, bad URLs, a missing source, memory:, one database twice) exit with their codes
and change nothing.

Usage: store_copy_e2e.py PATH_TO_ROGATORY WORKFLOWS_DIR PG_URL_FILE
"""
import hashlib
import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from curl_session import check, expect, finish, free_port, served_store

ROGATORY = os.path.abspath(sys.argv[1])
WORKFLOWS = os.path.abspath(sys.argv[2])
PG_URL_FILE = sys.argv[3]

TOKENS = {
    "ana": ("fr.pnf", ["issuing_authority", "executing_authority"]),
    "eva": ("de.sta_berlin", ["issuing_authority", "executing_authority"]),
    "audit": (None, ["auditor"]),
    "ops": (None, ["admin"]),
}
# Text the copy must carry byte for byte: COPY's separators and escapes, quotes, non-ASCII.
AWKWARD = "tab\there\nnew line\\backslash \\N 'quote' \"dq\" \r\u00e9\u4e2d\U0001F600"


def serve(work, name, store):
    """A server on `store` whose deliveries go to private addresses and are tried once."""
    return served_store(ROGATORY, work, name, store, WORKFLOWS, TOKENS,
                        ["webhooks: {allow_private: true, max_attempts: 1}"])


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def fill(api, receiver_port):
    """Requests in every state of stats_mla, with clocks, parties, deliveries and replays."""
    ok = expect(api, "ops", "POST", "/v1/subscriptions", 201,
                    {"url": "http://127.0.0.1:%d/hook" % receiver_port})
    closed = free_port()  # nothing listens there: its deliveries fail once and are dead
    expect(api, "ops", "POST", "/v1/subscriptions", 201,
               {"url": "http://127.0.0.1:%d/hook" % closed, "events": ["request.transitioned"]})

    def create(actor, key, data=None):
        body = {"workflow": "stats_mla", "data": data or {}}
        first = expect(api, actor, "POST", "/v1/requests", 201, body,
                       headers=["Idempotency-Key: " + key])
        replay = expect(api, actor, "POST", "/v1/requests", 201, body,
                        headers=["Idempotency-Key: " + key])
        check(first["id"] == replay["id"], "idempotent replay")
        return first["id"]

    def fire(actor, rid, event, **extra):
        body = {"event": event}
        body.update(extra)
        return expect(api, actor, "POST", "/v1/requests/%s/events" % rid, 200, body)

    paths = {
        "draft": [],
        "returned": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}}),
                     ("eva", "return", {})],
        "transmitted": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}})],
        "extended": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}}),
                     ("eva", "extend", {})],
        "executing": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}}),
                      ("eva", "recognise", {})],
        "executed": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}}),
                     ("eva", "recognise", {}), ("eva", "execute", {})],
        "refused": [("ana", "transmit", {"parties": {"executing": "de.sta_berlin"}}),
                    ("eva", "refuse", {"data": {"refusal_ground": "sovereignty"}})],
        "withdrawn": [("ana", "withdraw", {})],
    }
    n = 0
    for rounds in range(3):
        for name, steps in paths.items():
            n += 1
            rid = create("ana", "key-%d" % n, {"requested_state": "ES", "note": AWKWARD})
            fire("ana", rid, "note", comment=AWKWARD + " %d" % n)
            for actor, event, extra in steps:
                fire(actor, rid, event, **extra)
    # Wait until the dispatcher has delivered to the receiver and given up on the closed port.
    for _ in range(300):
        delivered = expect(api, "ops", "GET", "/v1/deliveries?status=delivered&limit=1", 200)
        pending = expect(api, "ops", "GET", "/v1/deliveries?status=pending&limit=1", 200)
        if delivered["items"] and not pending["items"]:
            break
        time.sleep(0.1)
    check(expect(api, "ops", "GET", "/v1/deliveries?status=dead&limit=1", 200)["items"],
          "a dead delivery in the source")
    return ok["id"]


def tables(db):
    with sqlite3.connect(db) as c:
        return sorted(r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))


def rows(db, table):
    """Every row with each value's SQLite type, in a fixed order."""
    with sqlite3.connect(db) as c:
        columns = [r[1] for r in c.execute("PRAGMA table_info(\"%s\")" % table)]
        select = ", ".join("\"%s\", typeof(\"%s\")" % (col, col) for col in columns)
        order = ", ".join("\"%s\"" % col for col in columns)
        return columns, c.execute("SELECT %s FROM \"%s\" ORDER BY %s" % (select, table, order)).fetchall()


def compare_stores(a, b, what):
    check(tables(a) == tables(b), "%s: tables %s vs %s" % (what, tables(a), tables(b)))
    for table in tables(a):
        ca, ra = rows(a, table)
        cb, rb = rows(b, table)
        check(sorted(ca) == sorted(cb), "%s: columns of %s" % (what, table))
        if sorted(ca) != sorted(cb):
            continue
        if ca != cb:  # same columns in another order: compare by name
            _, rb = rows_by(b, table, ca)
        check(ra == rb, "%s: table %s differs (%d vs %d rows)" % (what, table, len(ra), len(rb)))


def rows_by(db, table, columns):
    with sqlite3.connect(db) as c:
        select = ", ".join("\"%s\", typeof(\"%s\")" % (col, col) for col in columns)
        order = ", ".join("\"%s\"" % col for col in columns)
        return columns, c.execute("SELECT %s FROM \"%s\" ORDER BY %s" % (select, table, order)).fetchall()


def run(*args):
    return subprocess.run([ROGATORY] + list(args), capture_output=True, text=True)


def psql(conninfo, sql):
    out = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", conninfo, "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("psql: " + out.stderr)
    return out.stdout.strip()


def pages(api, actor, path, limit=4):
    """Every page of a keyset-paginated list."""
    out, after = [], ""
    for _ in range(100):
        sep = "&" if "?" in path else "?"
        query = "%s%slimit=%d%s" % (path, sep, limit, "&after=" + after if after else "")
        page = expect(api, actor, "GET", query, 200)
        out.append(page)
        after = page.get("next") or ""
        if not after:
            break
    return out


def same_answers(source, copy):
    paths = [("audit", "/v1/requests"), ("eva", "/v1/requests"), ("audit", "/v1/requests?state=executing"),
             ("audit", "/v1/requests?phase=closure"), ("ana", "/v1/requests?workflow=stats_mla"),
             ("ops", "/v1/deliveries"), ("ops", "/v1/deliveries?status=dead")]
    for actor, path in paths:
        a, b = pages(source, actor, path), pages(copy, actor, path)
        check(a == b, "%s as %s: the copy answers differently" % (path, actor))
    for actor in ["audit", "ana", "eva"]:
        check(expect(source, actor, "GET", "/v1/stats", 200) ==
              expect(copy, actor, "GET", "/v1/stats", 200),
              "/v1/stats as %s: the copy answers differently" % actor)
    check(expect(source, "ops", "GET", "/v1/subscriptions", 200) ==
          expect(copy, "ops", "GET", "/v1/subscriptions", 200), "/v1/subscriptions differ")
    first = pages(source, "audit", "/v1/requests", 1000)[0]["items"]
    for r in first[:5]:
        path = "/v1/requests/%s/history" % r["id"]
        check(expect(source, "audit", "GET", path, 200) == expect(copy, "audit", "GET", path, 200),
              "%s differs" % path)
    # The next delivery (an auto-numbered outbox row) gets the same id on both: the copy's
    # sequence continues after the copied rows.
    rid = [r for r in first if r["state"] == "draft"][0]["id"]
    for api in (source, copy):
        expect(api, "ana", "POST", "/v1/requests/%s/events" % rid, 200, {"event": "note"})
    newest = [max(int(d["id"]) for p in pages(api, "ops", "/v1/deliveries", 1000) for d in p["items"])
              for api in (source, copy)]
    check(newest[0] == newest[1], "the next delivery ids: source %d, copy %d" % tuple(newest))


def refusals(work, source_db, pg_url, pg_conninfo, back_db):
    def refused(args, code, words, what):
        out = run("store", "copy", *args)
        check(out.returncode == code and all(w in out.stderr for w in words),
              "%s: exit %d (want %d), stderr: %s" % (what, out.returncode, code, out.stderr))

    count = psql(pg_conninfo, "SELECT COUNT(*) FROM requests")
    before = hashlib.sha256(open(back_db, "rb").read()).hexdigest()
    refused(["--from", "sqlite://" + source_db, "--to", pg_url], 4, ["not empty", "copy into a new database"],
            "into the non-empty PostgreSQL copy")
    check(psql(pg_conninfo, "SELECT COUNT(*) FROM requests") == count, "PostgreSQL unchanged")
    refused(["--from", pg_url, "--to", "sqlite://" + back_db], 4, ["not empty"],
            "into the non-empty SQLite copy")
    check(hashlib.sha256(open(back_db, "rb").read()).hexdigest() == before, "SQLite copy unchanged")

    old = os.path.join(work, "old.db")
    shutil.copy(source_db, old)
    with sqlite3.connect(old) as c:
        c.execute("UPDATE schema_version SET version = version - 1")
    c.close()
    new_target = os.path.join(work, "never.db")
    refused(["--from", "sqlite://" + old, "--to", "sqlite://" + new_target], 4,
            ["schema version", "rogatory serve"], "an older source")
    check(not os.path.exists(new_target), "no target file created for a refused copy")
    refused(["--from", "sqlite://" + source_db, "--to", "sqlite://" + old], 4,
            ["schema version", "target"], "an older target")
    refused(["--from", "sqlite://" + os.path.join(work, "missing.db"), "--to",
             "sqlite://" + new_target], 3, ["no such SQLite file"], "a missing source")
    refused(["--from", "sqlite://" + source_db, "--to", "mysql://db"], 2, ["--to"], "a bad URL")
    refused(["--from", "memory:", "--to", "sqlite://" + new_target], 2, ["memory"], "memory:")
    refused(["--from", "sqlite://" + source_db, "--to", "sqlite://" + source_db], 2, ["same"],
            "one database twice")
    refused(["--from", "sqlite://" + source_db], 2, ["--to"], "no --to")
    check(not os.path.exists(new_target), "no target file created by any refusal")


def sequence_ahead(conninfo, pg_conninfo, pg_url, database):
    """A PostgreSQL source whose outbox sequence runs ahead of its rows (the newest were deleted):
    the PostgreSQL copy continues after the sequence, not after the largest id."""
    top = int(psql(pg_conninfo, "SELECT MAX(id) FROM outbox"))
    psql(pg_conninfo, "SELECT setval(pg_get_serial_sequence('outbox', 'id'), %d)" % (top + 100))
    second = database + "_b"
    psql(conninfo, "DROP DATABASE IF EXISTS %s" % second)
    psql(conninfo, "CREATE DATABASE %s" % second)
    second_conninfo = conninfo.replace("dbname=postgres", "dbname=" + second)
    out = run("store", "copy", "--from", pg_url, "--to", "postgresql://" + second_conninfo)
    check(out.returncode == 0, "PostgreSQL -> PostgreSQL: %s" % out.stderr)
    nextval = int(psql(second_conninfo, "SELECT nextval(pg_get_serial_sequence('outbox', 'id'))"))
    check(nextval == top + 101, "the copy's next outbox id %d, want %d" % (nextval, top + 101))
    psql(conninfo, "DROP DATABASE IF EXISTS %s" % second)


def audit_verify(store_url):
    return subprocess.run([ROGATORY, "audit", "verify"], capture_output=True, text=True,
                          env=dict(os.environ, ROGATORY_STORE=store_url))


def mend_unlinked(work, source_db):
    """docs/operations.md, "Upgrading": an older binary still writing after the upgrade to
    schema 12 leaves a request's last history row out of its links (the row not linked to the
    one before it, the request row still naming the one before). `audit verify` names that
    request, and `rogatory store copy` into a new file sets every link again: the copy
    verifies."""
    unlinked_db = os.path.join(work, "unlinked.db")
    with sqlite3.connect(source_db) as src, sqlite3.connect(unlinked_db) as dst:
        src.backup(dst)
    with sqlite3.connect(unlinked_db) as c:
        rid, revision = c.execute(
            "SELECT id, revision FROM requests WHERE revision > 1 ORDER BY id LIMIT 1").fetchone()
        c.execute("UPDATE requests SET history_head = (SELECT prev_rowid FROM history"
                  " WHERE hid = requests.history_head) WHERE id = ?", (rid,))
        c.execute("UPDATE history SET prev_rowid = 0 WHERE request_id = ? AND seq = ?",
                  (rid, revision))
    broken = audit_verify("sqlite://" + unlinked_db)
    want = "request %s history seq %d is not where its links lead" % (rid, revision)
    check(broken.returncode == 1 and want in broken.stdout + broken.stderr,
          "audit verify on rows an old binary wrote: exit %d %s %s"
          % (broken.returncode, broken.stdout, broken.stderr))
    mended_db = os.path.join(work, "mended.db")
    mend = run("store", "copy", "--from", "sqlite://" + unlinked_db, "--to",
               "sqlite://" + mended_db, "--verify-all")
    check(mend.returncode == 0, "store copy of the unlinked store: %s %s"
          % (mend.stdout, mend.stderr))
    mended = audit_verify("sqlite://" + mended_db)
    check(mended.returncode == 0 and "ok:" in mended.stdout,
          "audit verify on the mended copy: exit %d %s %s"
          % (mended.returncode, mended.stdout, mended.stderr))


def main():
    work = tempfile.mkdtemp(prefix="rogatory-store-copy-e2e-")
    conninfo = open(PG_URL_FILE).read().strip()
    database = "copy_e2e_%d" % os.getpid()
    psql(conninfo, "DROP DATABASE IF EXISTS %s" % database)
    psql(conninfo, "CREATE DATABASE %s" % database)
    pg_conninfo = conninfo.replace("dbname=postgres", "dbname=" + database)
    pg_url = "postgresql://" + pg_conninfo

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    source_db = os.path.join(work, "source.db")
    with serve(work, "source", "sqlite://" + source_db) as api:
        fill(api, receiver.server_address[1])

    # Every table of the schema holds rows, so a table the copy left out fails below.
    for table in tables(source_db):
        check(len(rows(source_db, table)[1]) > 0,
              "table %s is empty in the source: fill it in this test, so its copy is compared"
              % table)

    to_pg = run("store", "copy", "--from", "sqlite://" + source_db, "--to", pg_url,
                "--batch", "7")
    check(to_pg.returncode == 0 and "ok: row counts match" in to_pg.stdout,
          "SQLite -> PostgreSQL: exit %d %s %s" % (to_pg.returncode, to_pg.stdout, to_pg.stderr))
    check("history: 7/" in to_pg.stderr, "progress on stderr: " + to_pg.stderr[:300])
    back_db = os.path.join(work, "back.db")
    back = run("store", "copy", "--from", pg_url, "--to", "sqlite://" + back_db, "--verify-all")
    check(back.returncode == 0 and " history entries verified in the copy" in back.stdout,
          "PostgreSQL -> SQLite: exit %d %s %s" % (back.returncode, back.stdout, back.stderr))
    compare_stores(source_db, back_db, "SQLite -> PostgreSQL -> SQLite")
    direct_db = os.path.join(work, "direct.db")
    direct = run("store", "copy", "--config", os.path.join(work, "source.yaml"), "--to",
                 "sqlite://" + direct_db)
    check(direct.returncode == 0, "SQLite -> SQLite: %s" % direct.stderr)
    compare_stores(source_db, direct_db, "SQLite -> SQLite")
    audit = audit_verify(pg_url)
    check(audit.returncode == 0, "audit verify on the PostgreSQL copy: " + audit.stderr)
    mend_unlinked(work, source_db)

    refusals(work, source_db, pg_url, pg_conninfo, back_db)

    with serve(work, "source-again", "sqlite://" + source_db) as source:
        with serve(work, "copy", pg_url) as copy:
            same_answers(source, copy)
    receiver.shutdown()
    sequence_ahead(conninfo, pg_conninfo, pg_url, database)
    psql(conninfo, "DROP DATABASE IF EXISTS %s" % database)
    return finish(work)


if __name__ == "__main__":
    sys.exit(main())
