#!/usr/bin/env python3
"""Issue 16 end to end: what the SQLite store keeps of its own commits, seen in /metrics.

The real `rogatory serve` on an SQLite file sends a webhook for every step to Python's
http.server (a receiver we did not write, answering 204), so the dispatcher claims and records
deliveries on the store's writer between the steps. Every step after the first must still find
its request, its last history row and its statistics record kept
(`rogatory_store_kept_lookups_total`, result "hit"), and nothing may be forgotten: the claims
write nothing the writer keeps. Then `rogatory stats --rebuild`, another process, commits to the
file beside the server: the server's next step must forget what it kept and read it back
(`rogatory_store_kept_forgotten_total` 1, one miss), and keep it again from there on.

Usage: kept_metrics_e2e.py PATH_TO_ROGATORY WORKFLOWS_DIR
"""
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from curl_session import check, expect, finish, free_port, served, token_of
from curl_session import config_text as config_for

ROGATORY = os.path.abspath(sys.argv[1])
WORKFLOWS = os.path.abspath(sys.argv[2])
TOKENS = {
    "ana": ("fr.pnf", ["issuing_authority", "executing_authority"]),
    "ops": (None, ["admin"]),
    "prom": (None, ["metrics"]),
}
STEPS = 120


class Receiver(http.server.BaseHTTPRequestHandler):
    """Counts the webhook POSTs it is sent and answers each with 204."""
    received = 0
    lock = threading.Lock()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with Receiver.lock:
            Receiver.received += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def metrics(port):
    """The kept-lookup series of GET /metrics: {(kind, result): n, "forgotten": n}."""
    text = subprocess.run(["curl", "-s", "-H", "Authorization: Bearer " + token_of("prom"),
                           "http://127.0.0.1:%d/metrics" % port],
                          capture_output=True, text=True, check=True).stdout
    out = {}
    for kind, result, n in re.findall(
            r'^rogatory_store_kept_lookups_total\{kind="(\w+)",result="(\w+)"\} (\d+)$', text,
            re.M):
        out[(kind, result)] = int(n)
    forgotten = re.search(r"^rogatory_store_kept_forgotten_total (\d+)$", text, re.M)
    out["forgotten"] = int(forgotten.group(1)) if forgotten else None
    check(len(out) == 7 and out["forgotten"] is not None, "seven kept series in /metrics: %s" % out)
    return out


def delta(after, before):
    return {k: after[k] - before[k] for k in after if after[k] is not None and k in before}


def main():
    work = tempfile.mkdtemp(prefix="rogatory-kept-e2e-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = free_port()
    config = os.path.join(work, "rogatory.yaml")
    with open(config, "w") as f:
        f.write(config_for(port, os.path.join(work, "rogatory.db"), WORKFLOWS, TOKENS))
        f.write("webhooks: {allow_private: true}\n")
    with served(ROGATORY, config, port, work, os.path.join(work, "server.log")) as api:
        expect(api, "ops", "POST", "/v1/subscriptions", 201,
               {"url": "http://127.0.0.1:%d/hook" % receiver.server_address[1]}, "subscribe")
        rid = expect(api, "ana", "POST", "/v1/requests", 201, {"workflow": "stats_mla"},
                     "create")["id"]
        start = metrics(port)
        path = "/v1/requests/%s/events" % rid
        for i in range(STEPS):
            expect(api, "ana", "POST", path, 200, {"event": "note", "data": {"note": str(i)}},
                   "note %d" % i)
        for _ in range(200):  # the webhooks of every step, sent while the steps went on
            if Receiver.received >= STEPS + 1:
                break
            time.sleep(0.05)
        check(Receiver.received >= STEPS + 1,
              "the receiver got every webhook: %d of %d" % (Receiver.received, STEPS + 1))
        steps = delta(metrics(port), start)
        want = {("request", "hit"): STEPS, ("request", "miss"): 0,
                ("history_head", "hit"): STEPS, ("history_head", "miss"): 0,
                ("stats_record", "hit"): STEPS, ("stats_record", "miss"): 0, "forgotten": 0}
        check(steps == want, "steps between webhook claims keep what they kept:\n got  %s\n want %s"
              % (sorted(steps.items(), key=str), sorted(want.items(), key=str)))
        # Every claim and attempt has run by now: one more step must still find all of it kept.
        expect(api, "ana", "POST", path, 200, {"event": "note"}, "a step after every delivery")
        after_deliveries = delta(metrics(port), start)
        check(after_deliveries[("stats_record", "hit")] == STEPS + 1 and
              after_deliveries[("history_head", "hit")] == STEPS + 1 and
              after_deliveries["forgotten"] == 0,
              "kept after every delivery was claimed and recorded: %s" % after_deliveries)

        before = metrics(port)
        rebuilt = subprocess.run([ROGATORY, "stats", "--rebuild", "--config", config],
                                 capture_output=True, text=True, cwd=work)
        check(rebuilt.returncode == 0, "rebuild beside the server: %s" % rebuilt.stderr)
        expect(api, "ana", "POST", path, 200, {"event": "note"}, "the step after the rebuild")
        after_rebuild = delta(metrics(port), before)
        check(after_rebuild["forgotten"] == 1 and after_rebuild[("stats_record", "miss")] == 1 and
              after_rebuild[("stats_record", "hit")] == 0 and
              after_rebuild[("history_head", "miss")] == 1 and
              after_rebuild[("history_head", "hit")] == 0,
              "another process's commit: forgotten once, read back: %s" % after_rebuild)
        # The rebuild wrote statistics only: the request copy kept in memory is still the
        # database's, and the step used it.
        check(after_rebuild[("request", "hit")] == 1 and after_rebuild[("request", "miss")] == 0,
              "the kept request after the rebuild: %s" % after_rebuild)
        expect(api, "ana", "POST", path, 200, {"event": "note"}, "the next step")
        again = delta(metrics(port), before)
        check(again[("stats_record", "hit")] == 1 and again["forgotten"] == 1,
              "kept again after it: %s" % again)
    receiver.shutdown()
    return finish(work)


if __name__ == "__main__":
    sys.exit(main())
