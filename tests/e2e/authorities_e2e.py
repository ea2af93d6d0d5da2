#!/usr/bin/env python3
"""CONTRACT §8 end to end: the real `rogatory serve` with two authorities (and a third that is
party to nothing), driven with curl. One side cannot see or move the other's requests through
any route; assigning the executing side shares the request; the auditor reads and fires nothing;
`rogatory audit verify` checks the chain with its authorities; a config whose workflow token
lacks an authority does not start.

Usage: authorities_e2e.py PATH_TO_ROGATORY
"""
import json
import os
import subprocess
import sys
import tempfile

from curl_session import FAILURES, check, config_text, expect, free_port, served

ROGATORY = os.path.abspath(sys.argv[1])

WORKFLOW = """workflow: mla
version: 1
title: Request between two authorities
fields:
  note: {type: string}
states:
  draft:    {phase: drafting, initial: true}
  sent:     {phase: transmission}
  accepted: {phase: execution}
  done:     {phase: closure, terminal: true}
sides:
  issuing:   [issuing_authority]
  executing: [executing_authority]
transitions:
  - {event: transmit, from: draft, to: sent, roles: [issuing_authority], assign: [executing]}
  - {event: accept, from: sent, to: accepted, roles: [executing_authority]}
  - {event: close, from: accepted, to: done, roles: [executing_authority]}
"""

# actor -> (authority or None, roles)
TOKENS = {
    "ana": ("fr.pnf", ["issuing_authority"]),
    "fred": ("fr.pnf", ["executing_authority"]),
    "eva": ("de.sta_berlin", ["executing_authority"]),
    "ivo": ("it.pg_milano", ["executing_authority", "issuing_authority"]),
    "audit": (None, ["auditor"]),
    "ops": (None, ["admin"]),
}


def main():
    work = tempfile.mkdtemp(prefix="rogatory-authz-e2e-")
    workflows = os.path.join(work, "workflows")
    os.mkdir(workflows)
    with open(os.path.join(workflows, "mla.yaml"), "w") as f:
        f.write(WORKFLOW)
    db = os.path.join(work, "rogatory.db")
    port = free_port()
    config = os.path.join(work, "rogatory.yaml")
    with open(config, "w") as f:
        f.write(config_text(port, db, workflows, TOKENS))
    log = os.path.join(work, "server.log")
    with served(ROGATORY, config, port, work, log) as api:
        scenario(api)
    audit = subprocess.run([ROGATORY, "audit", "verify", "--config", config], capture_output=True,
                           text=True, cwd=work)
    check(audit.returncode == 0, "audit verify: %s %s" % (audit.stdout, audit.stderr))
    refuses_a_token_without_authority(work, workflows)
    if FAILURES:
        print("%d failures; server log: %s" % (len(FAILURES), log))
        return 1
    print("ok")
    return 0


def scenario(api):
    created = expect(api, "ana", "POST", "/v1/requests", 201,
                     {"workflow": "mla", "data": {"note": "draft of fr.pnf"}}, "create")
    rid = created["id"]
    check(created["parties"] == {"issuing": "fr.pnf"}, "creator's party: %s" % created["parties"])

    # Before the executing side is assigned, de.sta_berlin sees nothing: 404 exactly as an
    # unknown id, on every route that takes an id.
    _, unknown = api.call("eva", "GET", "/v1/requests/01NOSUCHREQUEST000000000000")
    for method, path, body in [("GET", "", None), ("GET", "/history", None),
                               ("GET", "/events", None),
                               ("POST", "/events", {"event": "accept"})]:
        answer = expect(api, "eva", method, "/v1/requests/" + rid + path, 404, body, "hidden")
        check(answer == json.loads(json.dumps(unknown).replace(
            "01NOSUCHREQUEST000000000000", rid)), "404 body differs from an unknown id's: %s"
            % answer)
    check(expect(api, "eva", "GET", "/v1/requests", 200)["items"] == [], "eva lists nothing yet")

    # Assigning: the transition's sides are required, exactly, with known authorities.
    expect(api, "ana", "POST", "/v1/requests/%s/events" % rid, 422, {"event": "transmit"},
           "assign without parties")
    expect(api, "ana", "POST", "/v1/requests/%s/events" % rid, 422,
           {"event": "transmit", "parties": {"executing": "xx.nobody"}}, "unknown authority")
    expect(api, "ana", "POST", "/v1/requests/%s/events" % rid, 422,
           {"event": "transmit", "parties": {"executing": "de.sta_berlin", "issuing": "fr.pnf"}},
           "a side the event does not assign")
    events = expect(api, "ana", "GET", "/v1/requests/%s/events" % rid, 200)
    check(events == [{"event": "transmit", "to": "sent", "require": [], "missing": [],
                      "assign": ["executing"]}], "ana's events: %s" % events)
    sent = expect(api, "ana", "POST", "/v1/requests/%s/events" % rid, 200,
                  {"event": "transmit", "parties": {"executing": "de.sta_berlin"}}, "transmit")
    check(sent["parties"] == {"issuing": "fr.pnf", "executing": "de.sta_berlin"},
          "parties after transmit: %s" % sent["parties"])

    # Now both sides see it; the third authority still does not.
    expect(api, "eva", "GET", "/v1/requests/" + rid, 200, what="assigned")
    expect(api, "ivo", "GET", "/v1/requests/" + rid, 404, what="third authority")
    expect(api, "ivo", "POST", "/v1/requests/%s/events" % rid, 404, {"event": "accept"},
           "third authority fires")
    # The executing role of the issuing authority may not act for the executing side.
    expect(api, "fred", "POST", "/v1/requests/%s/events" % rid, 403, {"event": "accept"},
           "wrong side")
    expect(api, "eva", "POST", "/v1/requests/%s/events" % rid, 200, {"event": "accept"},
           "accept")
    history = expect(api, "eva", "GET", "/v1/requests/%s/history" % rid, 200)
    check([(e["actor"], e["authority"]) for e in history] ==
          [("ana", "fr.pnf"), ("ana", "fr.pnf"), ("eva", "de.sta_berlin")],
          "history authorities: %s" % history)

    # A request of it.pg_milano for de.sta_berlin, and one fr.pnf keeps to itself.
    other = expect(api, "ivo", "POST", "/v1/requests", 201,
                   {"workflow": "mla", "parties": {"executing": "de.sta_berlin"}})["id"]
    private = expect(api, "ana", "POST", "/v1/requests", 201, {"workflow": "mla"})["id"]
    expect(api, "ana", "POST", "/v1/requests", 422,
           {"workflow": "mla", "parties": {"issuing": "de.sta_berlin"}}, "own side")

    def listed(actor, query=""):
        return [r["id"] for r in expect(api, actor, "GET", "/v1/requests" + query, 200)["items"]]

    check(listed("ana") == [rid, private], "ana lists %s" % listed("ana"))
    check(listed("eva") == [rid, other], "eva lists %s" % listed("eva"))
    check(listed("ivo") == [other], "ivo lists %s" % listed("ivo"))
    check(listed("ana", "?party=de.sta_berlin") == [rid], "ana ?party=de.sta_berlin")
    check(listed("audit", "?party=de.sta_berlin") == [rid, other], "audit ?party=de.sta_berlin")
    check(listed("eva", "?party=de.sta_berlin&limit=1") == [rid], "paging by party")
    expect(api, "ana", "GET", "/v1/requests?party=xx.nobody", 422, what="unknown party")

    # The auditor reads everything and moves nothing; a global admin reads no request.
    check(listed("audit") == [rid, other, private], "audit lists %s" % listed("audit"))
    expect(api, "audit", "GET", "/v1/requests/%s/history" % private, 200, what="audit reads")
    expect(api, "audit", "POST", "/v1/requests/%s/events" % rid, 403, {"event": "close"},
           "audit fires")
    expect(api, "audit", "POST", "/v1/requests", 403, {"workflow": "mla"}, "audit creates")
    check(listed("ops") == [], "a global admin lists no request")



def refuses_a_token_without_authority(work, workflows):
    tokens = dict(TOKENS)
    tokens["nora"] = (None, ["issuing_authority"])
    bad = os.path.join(work, "bad.yaml")
    with open(bad, "w") as f:
        f.write(config_text(free_port(), os.path.join(work, "bad.db"), workflows, tokens))
    run = subprocess.run([ROGATORY, "serve", "--config", bad], capture_output=True, text=True,
                         cwd=work, timeout=30)
    check(run.returncode == 2, "serve with a token lacking an authority exits %d" % run.returncode)
    check(bad + ":16: the token of actor 'nora' needs an authority" in run.stderr + run.stdout,
          "message: %s" % (run.stderr + run.stdout))


if __name__ == "__main__":
    sys.exit(main())
