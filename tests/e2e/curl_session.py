"""What the curl-driven end-to-end scripts (authorities_e2e.py, stats_e2e.py) share: a config with
three authorities and a token per actor, a free loopback port, a real `rogatory serve` started on
it and stopped afterwards, curl as the client, and failures collected rather than raised, so one
run reports every broken check. Python's standard library and curl only."""
import contextlib
import hashlib
import json
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
    """A config for `rogatory serve`; `tokens` maps actor -> (authority or None, roles)."""
    lines = ["listen: 127.0.0.1:%d" % port, "store: sqlite://%s" % db,
             "workflows: %s" % workflows, "authorities:"] + AUTHORITIES + ["auth:", "  tokens:"]
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

    def call(self, actor, method, path, body=None):
        """Returns (status, parsed JSON body) as curl saw them."""
        args = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", method,
                "-H", "Authorization: Bearer " + token_of(actor), self.base + path]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        text, _, status = out.rpartition("\n")
        return int(status), (json.loads(text) if text else None)


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL: " + what)


def expect(api, actor, method, path, status, body=None, what=""):
    got, answer = api.call(actor, method, path, body)
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
