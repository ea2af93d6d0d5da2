#!/usr/bin/env python3
"""Issue 16 end to end: webhooks from `rogatory serve` on the memory store.

The memory store builds a step's notification itself, and only while a subscription exists
(Store::BuildsNotifications). Here the real server on `memory:` takes steps before anyone
subscribes, then Python's http.server (a receiver we did not write, answering 204) subscribes,
and the steps after that must each reach it, in order, told as what they were: a note as
request.transitioned, a withdrawal as request.closed, with the request's id, revision, event and
states in the body. Nothing may arrive for the steps taken before the subscription.

Usage: memory_webhooks_e2e.py PATH_TO_ROGATORY WORKFLOWS_DIR
"""
import http.server
import json
import os
import sys
import tempfile
import threading
import time

from curl_session import check, expect, finish, served_store

ROGATORY = os.path.abspath(sys.argv[1])
WORKFLOWS = os.path.abspath(sys.argv[2])
TOKENS = {
    "ana": ("fr.pnf", ["issuing_authority", "executing_authority"]),
    "ops": (None, ["admin"]),
}


class Receiver(http.server.BaseHTTPRequestHandler):
    """Keeps the JSON body of each webhook POST it is sent and answers it with 204."""
    bodies = []
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        with Receiver.lock:
            Receiver.bodies.append(body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    work = tempfile.mkdtemp(prefix="rogatory-memory-webhooks-e2e-")
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with served_store(ROGATORY, work, "memory", "\"memory:\"", WORKFLOWS, TOKENS,
                      ["webhooks: {allow_private: true}"]) as api:
        rid = expect(api, "ana", "POST", "/v1/requests", 201, {"workflow": "stats_mla"},
                     "create before any subscription")["id"]
        path = "/v1/requests/%s/events" % rid
        expect(api, "ana", "POST", path, 200, {"event": "note", "data": {"note": "unheard"}},
               "a step before any subscription")
        expect(api, "ops", "POST", "/v1/subscriptions", 201,
               {"url": "http://127.0.0.1:%d/hook" % receiver.server_address[1]}, "subscribe")
        expect(api, "ana", "POST", path, 200, {"event": "note", "data": {"note": "heard"}},
               "a note after the subscription")
        expect(api, "ana", "POST", path, 200, {"event": "withdraw"}, "the withdrawal")
        for _ in range(200):
            with Receiver.lock:
                if len(Receiver.bodies) >= 2:
                    break
            time.sleep(0.05)
        time.sleep(0.5)  # time for anything that should not come
        with Receiver.lock:
            got = [(b["type"], b["data"]["request_id"], b["data"]["revision"], b["data"]["event"],
                    b["data"]["from"], b["data"]["to"], b["data"]["phase"])
                   for b in Receiver.bodies]
        want = [("request.transitioned", rid, 3, "note", "draft", "draft", "drafting"),
                ("request.closed", rid, 4, "withdraw", "draft", "withdrawn", "closure")]
        check(got == want, "the webhooks after the subscription, and only those:\n got  %s\n want %s"
              % (got, want))
    receiver.shutdown()
    return finish(work)


if __name__ == "__main__":
    sys.exit(main())
