"""A real `rogatory serve` for the authority tests: a config of its own (two authorities, a token
per principal), SQLite or a fresh database on the throwaway PostgreSQL cluster, a free loopback
port, and a small JSON client. Python's standard library only."""
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

AUTHORITIES = [
    {"id": "fr.pnf", "name": "Parquet national financier", "country": "FR"},
    {"id": "de.sta_berlin", "name": "Staatsanwaltschaft Berlin", "country": "DE"},
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token_of(name):
    return f"matrix-{name}-token"


def postgres_database(url_file):
    """A fresh database on the test cluster (its address in `url_file`, libpq keyword form)."""
    keywords = open(url_file).read().strip()
    name = "authority_" + uuid.uuid4().hex[:12]
    psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    subprocess.run([psql, keywords, "-q", "-c", f"CREATE DATABASE {name}"], check=True,
                   capture_output=True, timeout=30)
    fields = dict(kv.split("=", 1) for kv in keywords.split())
    fields["dbname"] = name
    return "postgresql://" + " ".join(f"{k}={v}" for k, v in fields.items())


class Answer:
    def __init__(self, status, text, headers):
        self.status, self.text, self.headers = status, text, headers
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    def error_code(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    def error_message(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("message", "")
        return ""


class Server:
    """`rogatory serve` with `principals` ({name: {"roles": [...], "authority": id?}})."""

    def __init__(self, rogatory, workflows, work, store, principals, pg_url_file=None):
        os.makedirs(work, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if store == "sqlite":
            path = os.path.join(work, "rogatory.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            store_url = "sqlite://" + path
        else:
            store_url = postgres_database(pg_url_file)
        tokens = []
        for name, p in principals.items():
            t = {"actor": name, "roles": p["roles"],
                 "sha256": hashlib.sha256(token_of(name).encode()).hexdigest()}
            if p.get("authority"):
                t["authority"] = p["authority"]
            tokens.append(t)
        config = {
            "listen": f"127.0.0.1:{self.port}",
            "store": store_url,
            "workflows": workflows,
            "authorities": AUTHORITIES,
            "auth": {"tokens": tokens},
            # A failed attempt waits an hour: deliveries stay where the test put them.
            "webhooks": {"max_attempts": 3, "retry": {"initial": "PT1H", "max": "PT1H"},
                         "allow_private": True},
        }
        self.config_path = os.path.join(work, "rogatory.yaml")
        with open(self.config_path, "w") as f:
            json.dump(config, f, indent=1)  # JSON is YAML
        self.log_path = os.path.join(work, "server.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ROGATORY_")}
        self.proc = subprocess.Popen([rogatory, "serve", "--config", self.config_path], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=work)
        for _ in range(400):
            try:
                with urllib.request.urlopen(self.url + "/v1/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
            if self.proc.poll() is not None:
                break
        self.stop()
        sys.exit("the server did not start:\n" + open(self.log_path).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def call(self, method, path, principal=None, body=None, content_type="application/json"):
        headers = {}
        if principal is not None:
            headers["Authorization"] = "Bearer " + token_of(principal)
        data = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Answer(r.status, r.read().decode(), dict(r.headers))
        except urllib.error.HTTPError as e:
            return Answer(e.code, e.read().decode(), dict(e.headers))

    def must(self, status, method, path, principal=None, body=None, **kw):
        a = self.call(method, path, principal, body, **kw)
        if a.status != status:
            raise AssertionError(f"{method} {path} as {principal}: expected {status}, got "
                                 f"{a.status} {a.text}")
        return a.json


class Receiver:
    """A webhook consumer: Python's http.server on a loopback port, answering 204 (or `status`)
    and keeping every body it was sent."""

    def __init__(self, status=204):
        self.bodies = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n))
                with outer.lock:
                    outer.bodies.append((self.headers.get("webhook-id"), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        """(request_id, revision, type) of every distinct webhook received, sorted."""
        with self.lock:
            seen = {wid: b for wid, b in self.bodies}
        return sorted((b["data"]["request_id"], b["data"]["revision"], b["type"])
                      for b in seen.values())

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
