"""What the curl-driven end-to-end scripts (authorities_e2e.py, stats_e2e.py, store_copy_e2e.py)
share: a config with three authorities and a token per actor, a free loopback port, a real
`rogatory serve` started on it and stopped afterwards (several at once, each on its own port,
config and log), curl as the client, and failures collected rather than raised, so one run reports
every broken check. Python's standard library and curl only."""
import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import time

FAILURES = []

AUTHORITIES = [
    "  - {id: fr.pnf, name: Parquet national financier, country: FR}",
    "  - {id: de.sta_berlin, name: Staatsanwaltschaft Berlin, country: DE}",
    "  - {id: it.pg_milano, name: Procura della Repubblica di Milano, country: IT}",
]


def token_of(actor):
    return "e2e-token-" + actor


def config_text(port, db, workflows, tokens):
    """A config for `rogatory serve` on the SQLite file `db`; `tokens` maps actor -> (authority or
    None, roles)."""
    return store_config_text(port, "sqlite://" + db, workflows, tokens)


def store_config_text(port, store, workflows, tokens, extra=()):
    """config_text for any store URL (`postgresql://...`, `sqlite://...`), with the `extra` lines
    (e.g. a `webhooks:` setting) after `workflows:`; without them, the same lines as config_text
    (whose line numbers a test of config errors names)."""
    lines = ["listen: 127.0.0.1:%d" % port, "store: %s" % store, "workflows: %s" % workflows]
    lines += list(extra) + ["authorities:"] + AUTHORITIES + ["auth:", "  tokens:"]
    for actor, (authority, roles) in tokens.items():
        entry = "    - {actor: %s, roles: [%s], sha256: \"%s\"" % (
            actor, ", ".join(roles), hashlib.sha256(token_of(actor).encode()).hexdigest())
        if authority:
            entry += ", authority: %s" % authority
        lines.append(entry + "}")
    return "\n".join(lines) + "\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port

    def call(self, actor, method, path, body=None, headers=()):
        """Returns (status, parsed JSON body) as curl saw them; `headers` are extra "Name: value"
        lines (e.g. an Idempotency-Key)."""
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method,
                "-H", "Authorization: Bearer " + token_of(actor), self.base + path]
        for header in headers:
            args += ["-H", header]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        text, _, status = out.rpartition("\n")
        return int(status), (json.loads(text) if text else None)


def check(condition, what):
    """Records `what` as a failure unless `condition`; returns `condition`."""
    if not condition:
        FAILURES.append(what)
        print("FAIL: " + what)
    return condition


def expect(api, actor, method, path, status, body=None, what="", headers=()):
    """The answer's body; a failure unless its status is `status`."""
    got, answer = api.call(actor, method, path, body, headers)
    check(got == status, "%s %s %s as %s: expected %d, got %d %s" % (
        what, method, path, actor, status, got, json.dumps(answer)))
    return answer


@contextlib.contextmanager
def served(rogatory, config, port, work, log_path):
    """`rogatory serve --config CONFIG` on `port`, its output in `log_path`: yields an Api once
    /v1/health answers, and stops the server on the way out."""
    log = open(log_path, "w")
    server = subprocess.Popen([rogatory, "serve", "--config", config], stdout=log,
                              stderr=subprocess.STDOUT, cwd=work)
    api = Api(port)
    try:
        for _ in range(300):
            try:
                if api.call("health", "GET", "/v1/health")[0] == 200:
                    break
            except subprocess.CalledProcessError:
                pass
            if server.poll() is not None:
                break
            time.sleep(0.1)
        else:
            raise SystemExit("the server did not start: " + open(log_path).read())
        if server.poll() is not None:
            raise SystemExit("the server exited: " + open(log_path).read())
        yield api
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@contextlib.contextmanager
def served_store(rogatory, work, name, store, workflows, tokens, extra=()):
    """`served` on a free port with a config of its own for `store` (`store_config_text`), written
    to NAME.yaml in `work`, the server's output in NAME.log: give each server running at the same
    time its own name."""
    port = free_port()
    config = os.path.join(work, name + ".yaml")
    with open(config, "w") as f:
        f.write(store_config_text(port, store, workflows, tokens, extra))
    with served(rogatory, config, port, work, os.path.join(work, name + ".log")) as api:
        yield api


def finish(work):
    """A script's exit code: 1 when a check failed (`work` is kept to look at), else 0 (`work`
    is removed)."""
    if FAILURES:
        print("%d failures; work folder: %s" % (len(FAILURES), work))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("ok")
    return 0
