#!/usr/bin/env python3
"""CONTRACT §9 end to end: GET /v1/stats on the real `rogatory serve` (SQLite) driven with curl,
scoped per authority token (CONTRACT §8); then `rogatory stats` in its three formats on the same
database, and `rogatory stats --rebuild` on a copy of it turned into a database made before the
statistics existed (schema 6: no statistics tables), which must give the same figures. Last, the
server again, with a statistics record damaged behind its back and `rogatory stats --rebuild` run
beside it (issue 16: the server keeps the records its steps wrote).

Usage: stats_e2e.py PATH_TO_ROGATORY WORKFLOWS_DIR
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from curl_session import check, expect, finish, free_port, served
from curl_session import config_text as config_for

ROGATORY = os.path.abspath(sys.argv[1])
WORKFLOWS = os.path.abspath(sys.argv[2])

# actor -> (authority or None, roles)
TOKENS = {
    "ana": ("fr.pnf", ["issuing_authority", "executing_authority"]),
    "eva": ("de.sta_berlin", ["issuing_authority", "executing_authority"]),
    "ivo": ("it.pg_milano", ["issuing_authority", "executing_authority"]),
    "audit": (None, ["auditor"]),
    "ops": (None, ["admin"]),
    "prom": (None, ["metrics"]),
}


def config_text(port, db):
    return config_for(port, db, WORKFLOWS, TOKENS)


def fire(api, actor, rid, event, **extra):
    body = {"event": event}
    body.update(extra)
    return expect(api, actor, "POST", "/v1/requests/%s/events" % rid, 200, body, event)


def only(stats):
    """The single workflow entry of a stats answer."""
    check(len(stats["workflows"]) == 1, "one workflow: %s" % json.dumps(stats))
    return stats["workflows"][0]


def scenario(api):
    # r1: Paris -> Berlin, recognised, then refused on a ground.
    r1 = expect(api, "ana", "POST", "/v1/requests", 201, {"workflow": "stats_mla"}, "create")["id"]
    fire(api, "ana", r1, "transmit", parties={"executing": "de.sta_berlin"})
    fire(api, "eva", r1, "recognise")
    fire(api, "eva", r1, "refuse", data={"refusal_ground": "dual_criminality"})
    # r2: a Paris draft naming Spain as the requested state (no executing authority yet).
    expect(api, "ana", "POST", "/v1/requests", 201,
           {"workflow": "stats_mla", "data": {"requested_state": "ES"}}, "create")
    # r3: Milan -> Paris, transmitted.
    r3 = expect(api, "ivo", "POST", "/v1/requests", 201, {"workflow": "stats_mla"}, "create")["id"]
    fire(api, "ivo", r3, "transmit", parties={"executing": "fr.pnf"})

    everything = only(expect(api, "audit", "GET", "/v1/stats", 200))
    check(everything["workflow"] == "stats_mla" and everything["version"] == 1, "workflow")
    check((everything["total"], everything["open"], everything["closed"], everything["overdue"])
          == (3, 2, 1, 0), "auditor totals: %s" % json.dumps(everything))
    check(everything["by_phase"] == {"drafting": 1, "transmission": 1, "execution": 0,
                                     "closure": 1}, "by_phase: %s" % everything["by_phase"])
    check(everything["by_state"]["refused"] == 1 and everything["by_state"]["draft"] == 1 and
          everything["by_state"]["transmitted"] == 1 and everything["by_state"]["executed"] == 0,
          "by_state: %s" % everything["by_state"])
    check(everything["outcomes"] == {"executed": 0, "refused": 1, "withdrawn": 0},
          "outcomes: %s" % everything["outcomes"])
    check(everything["lapses"] == {"execution": 0, "recognition": 0},
          "lapses: %s" % everything["lapses"])
    # The global counterpart is the side other than the requesting (first) side's party.
    # r2 has no executing authority yet: it counts under its `{counterpart: requested_state}`.
    check(everything["by_counterpart"] == {"DE": 1, "FR": 1, "ES": 1},
          "auditor by_counterpart: %s" % everything["by_counterpart"])
    check(everything["breakdowns"] == {"refusal_ground": {"dual_criminality": 1,
                                                          "ne_bis_in_idem": 0, "sovereignty": 0}},
          "breakdowns: %s" % everything["breakdowns"])
    durations = {(d["from"], d["to"]): d for d in everything["durations"]}
    check([(d["from"], d["to"]) for d in everything["durations"]] ==
          [("transmission", "closure"), ("drafting", "transmission"),
           ("transmission", "execution"), ("execution", "closure")], "duration order")
    check(durations[("transmission", "closure")] ==
          {"from": "transmission", "to": "closure", "count": 1, "median_days": 0, "p90_days": 0},
          "transmission->closure: %s" % durations[("transmission", "closure")])
    check(durations[("drafting", "transmission")]["count"] == 2, "drafting->transmission count")
    # An admin without an authority lists no request (CONTRACT §8), so it counts none either.
    check(expect(api, "ops", "GET", "/v1/stats", 200)["workflows"] == [],
          "an admin without an authority counts nothing")

    # Each authority counts only the requests it is a party to; its counterpart is the other side.
    eva = only(expect(api, "eva", "GET", "/v1/stats", 200))
    check((eva["total"], eva["closed"], eva["by_counterpart"]) == (1, 1, {"FR": 1}),
          "eva: %s" % json.dumps(eva))
    ivo = only(expect(api, "ivo", "GET", "/v1/stats", 200))
    check((ivo["total"], ivo["open"], ivo["by_counterpart"]) == (1, 1, {"FR": 1}),
          "ivo: %s" % json.dumps(ivo))
    ana = only(expect(api, "ana", "GET", "/v1/stats", 200))
    check(ana["total"] == 3 and ana["by_counterpart"] == {"DE": 1, "IT": 1, "ES": 1},
          "ana: %s" % json.dumps(ana))
    check(eva["breakdowns"]["refusal_ground"]["dual_criminality"] == 1 and
          ivo["breakdowns"]["refusal_ground"]["dual_criminality"] == 0, "scoped breakdowns")

    # Filters: by creation day (today counts, yesterday does not), and the workflow.
    today = time.strftime("%Y-%m-%d", time.gmtime())
    ranged = expect(api, "audit", "GET", "/v1/stats?workflow=stats_mla&from=%s&to=%s" % (today, today), 200)
    check(ranged["from"] == today and ranged["to"] == today and only(ranged)["total"] == 3,
          "today: %s" % json.dumps(ranged)[:300])
    check(only(expect(api, "audit", "GET", "/v1/stats?to=2000-01-01", 200))["total"] == 0,
          "before any request")

    # Bad calls: JSON errors with the right status, nothing changes.
    for query, status in [("from=2026-02-30", 400), ("to=yesterday", 400),
                          ("from=2026-03-05&to=2026-03-01", 400), ("workflow=nope", 404),
                          ("colour=red", 400)]:
        answer = expect(api, "audit", "GET", "/v1/stats?" + query, status, what="bad query")
        check(isinstance(answer, dict) and "error" in answer and "code" in answer["error"],
              "error body for %s: %s" % (query, answer))
    expect(api, "prom", "GET", "/v1/stats", 403, what="metrics-only token")
    got, _ = api.call("nobody", "GET", "/v1/stats")
    check(got == 401, "unknown token: %d" % got)
    return expect(api, "audit", "GET", "/v1/stats", 200)


def run(args, cwd):
    return subprocess.run([ROGATORY] + args, capture_output=True, text=True, cwd=cwd)


def cli(work, config, api_answer):
    as_json = run(["stats", "--config", config, "--format", "json"], work)
    check(as_json.returncode == 0, "stats --format json: %s" % as_json.stderr)
    figures = json.loads(as_json.stdout) if as_json.returncode == 0 else None
    check(figures == api_answer, "the CLI's json equals the admin's GET /v1/stats")

    as_csv = run(["stats", "--config", config, "--format", "csv"], work)
    lines = as_csv.stdout.splitlines()
    check(as_csv.returncode == 0 and lines[0] == "workflow,version,figure,key,value",
          "csv header: %s %s" % (lines[:1], as_csv.stderr))
    for row in ["stats_mla,1,total,,3", "stats_mla,1,closed,,1", "stats_mla,1,outcomes,refused,1",
                "stats_mla,1,by_counterpart,DE,1",
                "stats_mla,1,duration_median_days,transmission>closure,0",
                "stats_mla,1,duration_count,transmission>execution,1"]:
        check(row in lines, "csv row %s in:\n%s" % (row, as_csv.stdout))

    table = run(["stats", "--config", config, "--workflow", "stats_mla"], work)
    check(table.returncode == 0 and
          "stats_mla version 1: 3 requests, 2 open, 1 closed, 0 overdue" in table.stdout and
          "transmission -> closure: 0 / 0 (n=1)" in table.stdout, "table:\n" + table.stdout)

    bad = run(["stats", "--config", config, "--format", "xml"], work)
    check(bad.returncode == 2, "--format xml: exit %d" % bad.returncode)
    bad = run(["stats", "--config", config, "--from", "2026-13-01"], work)
    check(bad.returncode == 2, "--from 2026-13-01: exit %d" % bad.returncode)


def old_database(work, db, api_answer):
    """A copy of the database as a binary before statistics left it: schema 6, no stats tables."""
    old = os.path.join(work, "old.db")
    shutil.copy(db, old)
    with sqlite3.connect(old) as c:
        # Schema 11 first (the history keyed by request and seq, without schema 12's links).
        c.executescript(
            "CREATE TABLE history_keyed (request_id TEXT NOT NULL, seq BIGINT NOT NULL,"
            " event TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
            " actor TEXT NOT NULL, at BIGINT NOT NULL, data TEXT NOT NULL, comment TEXT NOT NULL,"
            " prev_hash TEXT NOT NULL, hash TEXT NOT NULL, authority TEXT NOT NULL DEFAULT '',"
            " PRIMARY KEY (request_id, seq));"
            "INSERT INTO history_keyed (rowid, request_id, seq, event, from_state, to_state, actor,"
            " at, data, comment, prev_hash, hash, authority) SELECT hid, request_id, seq, event,"
            " from_state, to_state, actor, at, data, comment, prev_hash, hash, authority"
            " FROM history;"
            "DROP TABLE history; ALTER TABLE history_keyed RENAME TO history;"
            "ALTER TABLE requests DROP COLUMN history_head;")
        # Schema 8 (the deadline rows' copies of their request's workflow, state and phase).
        c.executescript(
            "DROP INDEX deadlines_lapsed_by_workflow; DROP INDEX deadlines_lapsed_by_state;"
            "DROP INDEX deadlines_lapsed_by_phase; DROP INDEX deadlines_lapsed_by_workflow_state;"
            "DROP INDEX deadlines_lapsed_by_workflow_phase; DROP INDEX deadlines_running_due;"
            "CREATE INDEX deadlines_running_due ON deadlines"
            " (due_at, request_id, name, claimed_until, paused, lapsed)"
            " WHERE paused = 0 AND lapsed = 0;"
            "ALTER TABLE deadlines DROP COLUMN workflow; ALTER TABLE deadlines DROP COLUMN state;"
            "ALTER TABLE deadlines DROP COLUMN phase;")
        c.executescript("DROP TABLE stats_requests; DROP TABLE stats_cells; DROP TABLE stats_state;"
                        "DROP TABLE stats_months; UPDATE schema_version SET version = 6;")
    c.close()
    config = os.path.join(work, "old.yaml")
    with open(config, "w") as f:
        f.write(config_text(free_port(), old))
    refused = run(["stats", "--config", config], work)
    check(refused.returncode == 1 and "--rebuild" in refused.stderr,
          "stale counters refused: exit %d %s" % (refused.returncode, refused.stderr))
    rebuilt = run(["stats", "--rebuild", "--config", config], work)
    check(rebuilt.returncode == 0 and "rebuilt the statistics of 3 requests" in rebuilt.stdout,
          "rebuild: exit %d %s %s" % (rebuilt.returncode, rebuilt.stdout, rebuilt.stderr))
    after = run(["stats", "--config", config, "--format", "json"], work)
    check(after.returncode == 0 and json.loads(after.stdout) == api_answer,
          "rebuilt figures equal the incremental ones:\n%s" % after.stdout)


def beside_a_running_server(work, db, port, config):
    """The server keeps each request's statistics record after its steps (docs/operations.md,
    "SQLite durability"). Python's sqlite3, another process, damages the record of the one
    transmitted request behind the running server's back: the server's next step of it must read
    the record and refuse, not step from the copy it kept. `rogatory stats --rebuild`, run beside
    the server, mends it; the server steps again, and its figures equal a rebuild's."""
    with served(ROGATORY, config, port, work, os.path.join(work, "server2.log")) as api:
        listed = expect(api, "audit", "GET", "/v1/requests?state=transmitted", 200)["items"]
        check(len(listed) == 1, "one transmitted request: %s" % json.dumps(listed)[:300])
        rid = listed[0]["id"]
        path = "/v1/requests/%s/events" % rid
        revision = fire(api, "ivo", rid, "note")["revision"]  # the server now keeps its record
        with sqlite3.connect(db) as c:
            c.execute("UPDATE stats_requests SET record = 'damaged' WHERE request_id = ?", (rid,))
        c.close()
        expect(api, "ivo", "POST", path, 500, {"event": "note"}, "a step on a damaged record")
        check(expect(api, "audit", "GET", "/v1/requests/" + rid, 200)["revision"] == revision,
              "the refused step changed nothing")
        rebuilt = run(["stats", "--rebuild", "--config", config], work)
        check(rebuilt.returncode == 0 and "rebuilt the statistics of 3 requests" in rebuilt.stdout,
              "rebuild beside the server: exit %d %s %s" % (rebuilt.returncode, rebuilt.stdout,
                                                            rebuilt.stderr))
        check(fire(api, "ivo", rid, "note")["revision"] == revision + 1, "the step after it")
        served_figures = expect(api, "audit", "GET", "/v1/stats", 200)
    again = run(["stats", "--rebuild", "--config", config], work)
    check(again.returncode == 0, "rebuild: %s" % again.stderr)
    after = run(["stats", "--config", config, "--format", "json"], work)
    check(after.returncode == 0 and json.loads(after.stdout) == served_figures,
          "the server's figures after the mend equal a rebuild's:\n%s\n%s" % (
              json.dumps(served_figures), after.stdout))


def main():
    work = tempfile.mkdtemp(prefix="rogatory-stats-e2e-")
    db = os.path.join(work, "rogatory.db")
    port = free_port()
    config = os.path.join(work, "rogatory.yaml")
    with open(config, "w") as f:
        f.write(config_text(port, db))
    with served(ROGATORY, config, port, work, os.path.join(work, "server.log")) as api:
        answer = scenario(api)
    cli(work, config, answer)
    old_database(work, db, answer)
    beside_a_running_server(work, db, port, config)
    return finish(work)


if __name__ == "__main__":
    sys.exit(main())
