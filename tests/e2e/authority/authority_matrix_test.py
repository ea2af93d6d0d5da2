#!/usr/bin/env python3
"""CONTRACT §8 end to end: a role x side x authority matrix over EVERY route of the API, through
the real `rogatory serve` (SQLite or PostgreSQL), with two authorities, an auditor, a global admin
and each authority's admin; then listing scoping and webhook scoping with real receivers.

The routes come from the server's own route table as it publishes it (GET /v1/openapi.json); the
test fails when a route has no entry in ROUTES below (or ROUTES names one the server lacks). Each
entry says how to call its route on each fixture; the expected status of every call is computed
from §8's rules (expect_* below), never listed by hand:

- a token with an authority sees a request only when its authority is one of the request's
  parties; any other answers 404 exactly as an unknown id (same code, same message but the id);
- it fires only with a role the transition lists, acting for a side whose party is its own
  authority (403 otherwise); `auditor` reads every request and fires nothing; a token without an
  authority (the global admin) sees no request, but migrates any;
- subscriptions and deliveries: a global admin manages all, an authority's admin only its own
  (others: 404 as unknown); a subscription of an authority receives only events of requests that
  authority is a party to.

Usage: authority_matrix_test.py --rogatory BIN --source DIR --work DIR --store sqlite|postgresql
       [--pg-url-file FILE]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rogatory_server import Receiver, Server  # noqa: E402

FR, DE = "fr.pnf", "de.sta_berlin"
PRINCIPALS = {
    "fr_issuing": {"authority": FR, "roles": ["issuing_authority"]},
    "fr_executing": {"authority": FR, "roles": ["executing_authority"]},
    "de_issuing": {"authority": DE, "roles": ["issuing_authority"]},
    "de_executing": {"authority": DE, "roles": ["executing_authority"]},
    "auditor": {"roles": ["auditor"]},
    "admin": {"roles": ["admin"]},
    "fr_admin": {"authority": FR, "roles": ["admin"]},
    "de_admin": {"authority": DE, "roles": ["admin"]},
    "prometheus": {"roles": ["metrics"]},
}
# The workflow's sides (tests/fixtures/authority/workflows/mla_v1.yaml) and its transitions.
SIDE_OF_ROLE = {"issuing_authority": "issuing", "executing_authority": "executing"}
TRANSITIONS = {"transmit": "issuing_authority", "execute": "executing_authority"}
# The request fixtures: who creates them, what is fired on them, the parties they end with, and
# the event that moves them on next (with its body).
FIXTURES = {
    "fr_draft": {"creator": "fr_issuing", "steps": [], "parties": {"issuing": FR},
                 "next": {"event": "transmit", "parties": {"executing": DE}}},
    "fr_to_de": {"creator": "fr_issuing",
                 "steps": [{"event": "transmit", "parties": {"executing": DE}}],
                 "parties": {"issuing": FR, "executing": DE}, "next": {"event": "execute"}},
    "de_draft": {"creator": "de_issuing", "steps": [], "parties": {"issuing": DE},
                 "next": {"event": "transmit", "parties": {"executing": FR}}},
}
UNKNOWN_ID = "01UNKNOWNREQUEST0000000000"


def roles(p):
    return PRINCIPALS[p]["roles"] if p else []


def authority(p):
    return PRINCIPALS[p].get("authority", "") if p else ""


# --- the rules (CONTRACT §4 roles, §8 authorities) ------------------------------------------
def reads_requests(p):
    """A role other than `metrics` may use the request routes at all (issue 10)."""
    return any(r != "metrics" for r in roles(p))


def sees(p, parties):
    return "auditor" in roles(p) or (authority(p) != "" and authority(p) in parties.values())


def manages(p, owner):
    """`p` (an admin) manages a subscription created by admin `owner`."""
    return authority(p) == "" or authority(p) == authority(owner)


def expect_read(p, parties):
    if not reads_requests(p):
        return 403
    return 200 if sees(p, parties) else 404


def expect_fire(p, fixture):
    parties = FIXTURES[fixture]["parties"]
    if not reads_requests(p):
        return 403
    if not sees(p, parties):
        return 404
    if "auditor" in roles(p):
        return 403
    role = TRANSITIONS[FIXTURES[fixture]["next"]["event"]]
    if role in roles(p) and parties.get(SIDE_OF_ROLE[role]) == authority(p):
        return 200
    return 403  # no role of the transition, or the wrong side


def expect_migrate(p, parties):
    if "admin" not in roles(p):
        return 403
    if authority(p) and authority(p) not in parties.values():
        return 404
    return 200


def expect_create(p):
    if not reads_requests(p) or "auditor" in roles(p) or not authority(p):
        return 403
    return 201 if any(r in SIDE_OF_ROLE for r in roles(p)) else 403


def expect_admin(p, owner=None):
    if "admin" not in roles(p):
        return 403
    return 200 if owner is None or manages(p, owner) else 404


class Matrix:
    def __init__(self, server, source):
        self.s = server
        self.source = source
        self.failures = []
        self.cells = 0
        self.requests = {}  # fixture -> id
        self.subscriptions = {}  # owner admin -> subscription id
        self.deliveries = {}  # owner admin -> a delivery id of its subscription

    def check(self, ok, what):
        self.cells += 1
        if not ok:
            self.failures.append(what)

    def new_request(self, fixture):
        f = FIXTURES[fixture]
        r = self.s.must(201, "POST", "/v1/requests", f["creator"], {"workflow": "mla", "version": 1})
        for step in f["steps"]:
            self.s.must(200, "POST", f"/v1/requests/{r['id']}/events", f["creator"], step)
        return r["id"]

    def expect(self, p, method, path, status, body=None, unknown_path=None, **kw):
        """Calls the route as `p` and checks the status; a 404 must match the answer for an
        unknown id (`unknown_path`) exactly but for the id."""
        a = self.s.call(method, path, p, body, **kw)
        what = f"{method} {path} as {p or 'no token'}"
        self.check(a.status == status, f"{what}: expected {status}, got {a.status} {a.text[:300]}")
        if status == 404 and a.status == 404 and unknown_path is not None:
            u = self.s.call(method, unknown_path, p, body, **kw)
            known_id = path.split("/")[3]
            unknown_id = unknown_path.split("/")[3]
            self.check(u.status == 404 and u.error_code() == a.error_code() and
                       u.error_message().replace(unknown_id, "ID") ==
                       a.error_message().replace(known_id, "ID"),
                       f"{what}: 404 differs from an unknown id's: {a.text} vs {u.text}")
        return a

    # --- per-route cells ----------------------------------------------------------------------
    def any_token(self, method, path):
        for p in PRINCIPALS:
            self.expect(p, method, path, 200)

    def request_read(self, suffix):
        def run():
            for fixture, f in FIXTURES.items():
                rid = self.requests[fixture]
                for p in PRINCIPALS:
                    self.expect(p, "GET", f"/v1/requests/{rid}{suffix}",
                                expect_read(p, f["parties"]),
                                unknown_path=f"/v1/requests/{UNKNOWN_ID}{suffix}")
        return run

    def fire(self):
        for fixture, f in FIXTURES.items():
            for p in PRINCIPALS:
                rid = self.new_request(fixture)
                before = self.s.must(200, "GET", f"/v1/requests/{rid}", "auditor")
                a = self.expect(p, "POST", f"/v1/requests/{rid}/events", expect_fire(p, fixture),
                                f["next"], unknown_path=f"/v1/requests/{UNKNOWN_ID}/events")
                after = self.s.must(200, "GET", f"/v1/requests/{rid}", "auditor")
                moved = after["revision"] == before["revision"] + 1
                self.check(moved == (a.status == 200),
                           f"fire on {fixture} as {p}: answered {a.status}, revision "
                           f"{before['revision']} -> {after['revision']}")
                if a.status == 200 and authority(p):
                    h = self.s.must(200, "GET", f"/v1/requests/{rid}/history", "auditor")
                    self.check(h[-1].get("authority") == authority(p),
                               f"fire on {fixture} as {p}: history authority {h[-1]}")

    def migrate(self):
        for fixture, f in FIXTURES.items():
            for p in PRINCIPALS:
                rid = self.new_request(fixture)
                self.expect(p, "POST", f"/v1/requests/{rid}/migrate",
                            expect_migrate(p, f["parties"]), {"target_version": 2},
                            unknown_path=f"/v1/requests/{UNKNOWN_ID}/migrate")

    def create(self):
        for p in PRINCIPALS:
            a = self.expect(p, "POST", "/v1/requests", expect_create(p), {"workflow": "mla"})
            if a.status == 201:
                side = next(SIDE_OF_ROLE[r] for r in roles(p) if r in SIDE_OF_ROLE)
                self.check(a.json.get("parties") == {side: authority(p)},
                           f"created as {p}: parties {a.json.get('parties')}")

    def stats(self):
        """GET /v1/stats (CONTRACT §9) counts only the requests the caller may see."""
        ours = {rid: FIXTURES[f]["parties"] for f, rid in self.requests.items()}
        for p in PRINCIPALS:
            a = self.expect(p, "GET", "/v1/stats?workflow=mla", 403 if not reads_requests(p) else 200)
            if a.status != 200:
                continue
            total = sum(w["total"] for w in a.json["workflows"])
            want = sum(1 for parties in ours.values() if sees(p, parties))
            self.check(total == want, f"stats as {p}: total {total}, expected {want}")

    def list_requests(self):
        ours = {rid: FIXTURES[f]["parties"] for f, rid in self.requests.items()}
        for p in PRINCIPALS:
            for party in ("", FR, DE):
                query = f"?workflow=mla&limit=1000" + (f"&party={party}" if party else "")
                a = self.expect(p, "GET", "/v1/requests" + query, 403 if not reads_requests(p)
                                else 200)
                if a.status != 200:
                    continue
                items = a.json["items"]
                listed = {r["id"] for r in items}
                want = {rid for rid, parties in ours.items() if sees(p, parties) and
                        (not party or party in parties.values())}
                self.check(listed & set(ours) == want,
                           f"list{query} as {p}: fixtures listed {sorted(listed & set(ours))}, "
                           f"want {sorted(want)}")
                self.check(all(sees(p, r.get("parties", {})) for r in items),
                           f"list{query} as {p}: lists a request it may not see")
            if reads_requests(p):
                a = self.s.call("GET", "/v1/requests?party=xx.unknown", p)
                self.check(a.status in (400, 422) and a.error_code() == "invalid_argument",
                           f"list ?party=xx.unknown as {p}: {a.status} {a.text}")

    def deploy(self):
        text = open(os.path.join(self.source, "tests/fixtures/authority/workflows/mla_v2.yaml")).read()
        for p in PRINCIPALS:
            self.expect(p, "POST", "/v1/workflows", expect_admin(p), text,
                        content_type="application/yaml")

    def metrics(self):
        for p in PRINCIPALS:
            ok = "metrics" in roles(p) or "admin" in roles(p)
            self.expect(p, "GET", "/metrics", 200 if ok else 403)

    def subscriptions_create(self):
        for p in PRINCIPALS:
            a = self.expect(p, "POST", "/v1/subscriptions", 201 if "admin" in roles(p) else 403,
                            {"url": "http://127.0.0.1:9/unused", "events": ["request.closed"]})
            if a.status == 201:
                self.check(a.json.get("authority") == (authority(p) or None),
                           f"subscription created as {p}: authority {a.json.get('authority')}")
                self.s.must(204, "DELETE", f"/v1/subscriptions/{a.json['id']}", p)

    def subscriptions_list(self):
        for p in PRINCIPALS:
            a = self.expect(p, "GET", "/v1/subscriptions", expect_admin(p))
            if a.status == 200:
                listed = {s["id"] for s in a.json["items"]}
                want = {sid for owner, sid in self.subscriptions.items() if manages(p, owner)}
                self.check(listed & set(self.subscriptions.values()) == want,
                           f"subscriptions as {p}: {sorted(listed)}, want {sorted(want)}")
                self.check(all(manages_authority(p, s.get("authority")) for s in a.json["items"]),
                           f"subscriptions as {p}: lists another authority's")

    def subscription_one(self, method, body=None):
        def run():
            for owner, sid in self.subscriptions.items():
                for p in PRINCIPALS:
                    self.expect(p, method, f"/v1/subscriptions/{sid}", expect_admin(p, owner),
                                body, unknown_path="/v1/subscriptions/sub_unknown")
        return run

    def subscription_delete(self):
        for owner in self.subscriptions:
            for p in PRINCIPALS:
                sid = self.s.must(201, "POST", "/v1/subscriptions", owner,
                                  {"url": "http://127.0.0.1:9/unused",
                                   "events": ["request.closed"]})["id"]
                want = expect_admin(p, owner)
                self.expect(p, "DELETE", f"/v1/subscriptions/{sid}", 204 if want == 200 else want,
                            unknown_path="/v1/subscriptions/sub_unknown")
                if want != 200:  # still there: its owner removes it
                    self.s.must(204, "DELETE", f"/v1/subscriptions/{sid}", owner)

    def deliveries_list(self):
        owner_of = {sid: owner for owner, sid in self.subscriptions.items()}
        for p in PRINCIPALS:
            a = self.expect(p, "GET", "/v1/deliveries?limit=1000", expect_admin(p))
            if a.status != 200:
                continue
            listed = {d["id"] for d in a.json["items"]}
            want = {did for owner, did in self.deliveries.items() if manages(p, owner)}
            self.check(listed & set(self.deliveries.values()) == want,
                       f"deliveries as {p}: fixtures {sorted(listed)}, want {sorted(want)}")
            self.check(all(d["subscription_id"] in owner_of and
                           manages(p, owner_of[d["subscription_id"]]) or not authority(p)
                           for d in a.json["items"]),
                       f"deliveries as {p}: lists another authority's")

    def delivery_one(self, method, suffix, managed_status):
        def run():
            for owner, did in self.deliveries.items():
                for p in PRINCIPALS:
                    want = expect_admin(p, owner)
                    a = self.expect(p, method, f"/v1/deliveries/{did}{suffix}",
                                    managed_status if want == 200 else want,
                                    unknown_path=f"/v1/deliveries/99999999{suffix}")
                    if managed_status == 409 and a.status == 409:
                        self.check(a.error_code() == "failed_precondition", a.text)
        return run


def manages_authority(p, sub_authority):
    return authority(p) == "" or authority(p) == sub_authority


def routes_of(server):
    doc = server.must(200, "GET", "/v1/openapi.json", "auditor")
    methods = {"get", "post", "put", "patch", "delete"}
    return {(m.upper(), path) for path, ops in doc["paths"].items() for m in ops if m in methods}


def webhook_scoping(m, receivers):
    """Three subscriptions (the global admin's and each authority's) with real receivers; each
    receives exactly the events of the requests its authority is a party to."""
    s = m.s
    for owner, rec in receivers.items():
        sub = s.must(201, "POST", "/v1/subscriptions", owner, {"url": rec.url})
        m.subscriptions[owner] = sub["id"]
    for fixture in FIXTURES:
        m.requests[fixture] = m.new_request(fixture)
    ids = m.requests
    want = {
        "admin": [(ids["fr_draft"], 1, "request.created"), (ids["fr_to_de"], 1, "request.created"),
                  (ids["fr_to_de"], 2, "request.transitioned"),
                  (ids["de_draft"], 1, "request.created")],
        "fr_admin": [(ids["fr_draft"], 1, "request.created"),
                     (ids["fr_to_de"], 1, "request.created"),
                     (ids["fr_to_de"], 2, "request.transitioned")],
        # Berlin becomes a party by the transmit step: it hears of it, not of the French draft.
        "de_admin": [(ids["fr_to_de"], 2, "request.transitioned"),
                     (ids["de_draft"], 1, "request.created")],
    }
    deadline = time.time() + 20
    while time.time() < deadline:
        if all(len(receivers[o].events()) >= len(w) for o, w in want.items()):
            break
        time.sleep(0.1)
    time.sleep(0.5)  # anything that should not come has had its chance
    for owner, w in want.items():
        got = receivers[owner].events()
        m.check(got == sorted(w), f"webhooks of {owner}'s subscription: got {got}, want {sorted(w)}")
    # Every delivery acknowledged; one per subscription kept as a fixture of the routes.
    while time.time() < deadline:
        page = s.must(200, "GET", "/v1/deliveries?status=pending", "admin")
        if not page["items"]:
            break
        time.sleep(0.1)
    for owner, sid in m.subscriptions.items():
        page = s.must(200, "GET", f"/v1/deliveries?subscription={sid}", "admin")
        m.check(len(page["items"]) == len(want[owner]) and
                all(d["status"] == "delivered" for d in page["items"]),
                f"deliveries of {owner}'s subscription: {page['items']}")
        if page["items"]:
            m.deliveries[owner] = page["items"][0]["id"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rogatory", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--store", choices=["sqlite", "postgresql"], required=True)
    ap.add_argument("--pg-url-file")
    args = ap.parse_args()
    started = time.time()
    receivers = {o: Receiver() for o in ("admin", "fr_admin", "de_admin")}
    server = Server(os.path.abspath(args.rogatory),
                    os.path.join(args.source, "tests/fixtures/authority/workflows"),
                    os.path.join(args.work, args.store), args.store, PRINCIPALS, args.pg_url_file)
    try:
        m = Matrix(server, args.source)
        webhook_scoping(m, receivers)
        rq = "/v1/requests/{id}"
        routes = {
            ("GET", "/v1/health"): lambda: [m.expect(p, "GET", "/v1/health", 200)
                                           for p in list(PRINCIPALS) + [None]],
            ("GET", "/v1/openapi.json"): lambda: m.any_token("GET", "/v1/openapi.json"),
            ("GET", "/metrics"): m.metrics,
            ("GET", "/v1/workflows"): lambda: m.any_token("GET", "/v1/workflows"),
            ("GET", "/v1/workflows/{workflow}"): lambda: m.any_token("GET", "/v1/workflows/mla"),
            ("GET", "/v1/stats"): m.stats,
            ("GET", "/v1/workflows/{workflow}/diagram.svg"):
                lambda: m.any_token("GET", "/v1/workflows/mla/diagram.svg"),
            ("POST", "/v1/workflows"): m.deploy,
            ("POST", "/v1/requests"): m.create,
            ("GET", "/v1/requests"): m.list_requests,
            ("GET", rq): m.request_read(""),
            ("GET", rq + "/history"): m.request_read("/history"),
            ("GET", rq + "/events"): m.request_read("/events"),
            ("POST", rq + "/events"): m.fire,
            ("POST", rq + "/migrate"): m.migrate,
            ("POST", "/v1/subscriptions"): m.subscriptions_create,
            ("GET", "/v1/subscriptions"): m.subscriptions_list,
            ("GET", "/v1/subscriptions/{id}"): m.subscription_one("GET"),
            ("PATCH", "/v1/subscriptions/{id}"): m.subscription_one("PATCH", {"active": True}),
            ("DELETE", "/v1/subscriptions/{id}"): m.subscription_delete,
            ("GET", "/v1/deliveries"): m.deliveries_list,
            ("GET", "/v1/deliveries/{id}"): m.delivery_one("GET", "", 200),
            # The fixtures were delivered: a manager is told why not (409), anyone else 404.
            ("POST", "/v1/deliveries/{id}/retry"): m.delivery_one("POST", "/retry", 409),
        }
        served = routes_of(server)
        for route in sorted(served - set(routes)):
            m.check(False, f"route {route[0]} {route[1]} is not covered by the matrix")
        for route in sorted(set(routes) - served):
            m.check(False, f"route {route[0]} {route[1]} is not in the server's route table")
        for (method, pattern), run in sorted(routes.items()):
            if (method, pattern) not in served:
                continue
            run()
            # Without a token every route but the health check answers 401.
            if pattern != "/v1/health":
                path = (pattern.replace("{id}", "x").replace("{workflow}", "mla"))
                m.expect(None, method, path, 401, {} if method in ("POST", "PATCH") else None)
    finally:
        server.stop()
        for r in receivers.values():
            r.close()
    print(f"{args.store}: {len(served)} routes, {m.cells} checks, {len(m.failures)} failed, "
          f"{time.time() - started:.1f} s")
    if m.failures:
        print("\n".join(m.failures[:200]), file=sys.stderr)
        print(f"server log: {server.log_path}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
