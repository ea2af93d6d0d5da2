#!/usr/bin/env python3
"""Docs as tests (issue 10): every shell and C++ example in README.md and docs/*.md runs as written.

Shell blocks (```sh, ```bash, ```console) of each Markdown file run in order in one bash process
per file (so a file's blocks share its variables), under `set -euo pipefail`, against a real
`rogatory serve` this script starts: the shipped config/rogatory.yaml and workflows/, a fresh
SQLite file, a free loopback port. `curl` is wrapped with --fail-with-body, so an error answer
(HTTP 4xx/5xx) fails the block like a non-zero exit does. Before a file runs, API (the server's
address) and the token header variables of the docs (ANA, CARL, EVA, ADMIN, PROM, AUDIT,
PARIS_ADMIN: `-H "$ANA"`, see
docs/api.md) are set; the literal http://127.0.0.1:8080 in a block is replaced by the server's
address, and `rogatory` is on the PATH. Blocks run in a scratch folder holding links to the
source tree's workflows/ and config/. In ```console blocks only lines starting with `$ ` run.
The server allows private webhook addresses (ROGATORY_WEBHOOKS_ALLOW_PRIVATE=true) so that the
examples' subscription URLs need no DNS.

C++ blocks (```cpp) compile against the INSTALLED package (cmake --install of the build tree,
as tests/install does) with -Wall -Wextra -Werror: a block with `int main(` as a program, any
other as an object file.

A block that cannot run here (it installs packages, builds, starts a server of its own, needs a
tool the tests do not install, or is a fragment) is marked by the line right before its fence:

    <!-- not-run: why -->

Use the marker sparingly: every unmarked block must run.
"""
import argparse
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SHELL_LANGS = {"sh", "bash", "console"}
DOCS_ADDRESS = "http://127.0.0.1:8080"
TOKENS = {
    "ANA": "Authorization: Bearer demo-issuing-token",
    "CARL": "Authorization: Bearer demo-central-token",
    "EVA": "Authorization: Bearer demo-executing-token",
    "ADMIN": "Authorization: Bearer demo-admin-token",
    "PROM": "Authorization: Bearer demo-metrics-token",
    "AUDIT": "Authorization: Bearer demo-auditor-token",
    "PARIS_ADMIN": "Authorization: Bearer demo-paris-admin-token",
}


class Block:
    def __init__(self, path, line, lang, text):
        self.path, self.line, self.lang, self.text = path, line, lang, text

    def where(self):
        return f"{self.path}:{self.line}"


def blocks_of(path, source):
    """The fenced blocks of one Markdown file that must run, in order."""
    lines = open(os.path.join(source, path), encoding="utf-8").read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^```([A-Za-z0-9_+-]*)\s*$", lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        marked = i > 0 and lines[i - 1].strip().startswith("<!-- not-run")
        lang = m.group(1)
        if not marked and (lang in SHELL_LANGS or lang == "cpp"):
            out.append(Block(path, i + 1, lang, "\n".join(lines[i + 1:j])))
        i = j + 1
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(rogatory, source, work):
    port = free_port()
    env = dict(os.environ)
    env.update({
        "ROGATORY_LISTEN": f"127.0.0.1:{port}",
        "ROGATORY_STORE": f"sqlite://{work}/docs.db",
        "ROGATORY_WORKFLOWS": os.path.join(source, "workflows"),
        "ROGATORY_WEBHOOKS_ALLOW_PRIVATE": "true",
    })
    log = open(os.path.join(work, "server.log"), "w")
    proc = subprocess.Popen([rogatory, "serve", "--config", os.path.join(source, "config", "rogatory.yaml")],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url + "/v1/health", timeout=1) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.05)
        if proc.poll() is not None:
            break
    proc.kill()
    sys.exit("the server did not start:\n" + open(os.path.join(work, "server.log")).read())


def shell_script(blocks, url):
    parts = [
        "set -euo pipefail",
        'curl() { command curl --fail-with-body --show-error "$@"; }',
        f"API={url}",
    ]
    parts += [f'{k}="{v}"' for k, v in TOKENS.items()]
    for b in blocks:
        text = b.text
        if b.lang == "console":
            text = "\n".join(l[2:] for l in text.split("\n") if l.startswith("$ "))
        text = text.replace(DOCS_ADDRESS, url)
        parts.append(f"echo '>>> {b.where()}' >&2")
        parts.append(text)
    return "\n".join(parts) + "\n"


def run_shell(files, source, rogatory, work, url):
    scratch = os.path.join(work, "scratch")
    os.makedirs(scratch, exist_ok=True)
    for name in ("workflows", "config"):
        link = os.path.join(scratch, name)
        if not os.path.exists(link):
            os.symlink(os.path.join(source, name), link)
    bindir = os.path.join(work, "bin")
    os.makedirs(bindir, exist_ok=True)
    if not os.path.exists(os.path.join(bindir, "rogatory")):
        os.symlink(rogatory, os.path.join(bindir, "rogatory"))
    env = dict(os.environ)
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    failures = []
    for path, blocks in files:
        shell = [b for b in blocks if b.lang in SHELL_LANGS]
        if not shell:
            continue
        r = subprocess.run(["bash", "-c", shell_script(shell, url)], cwd=scratch, env=env,
                           capture_output=True, text=True, timeout=120)
        markers = re.findall(r">>> (\S+)", r.stderr)
        print(f"{path}: {len(shell)} shell block(s): {'ok' if r.returncode == 0 else 'FAILED'}")
        if r.returncode != 0:
            failures.append(f"{markers[-1] if markers else path}: exit {r.returncode}\n"
                            f"--- stdout\n{r.stdout[-3000:]}\n--- stderr\n{r.stderr[-3000:]}")
    return failures


def run_cpp(files, build, work, cxx_flags):
    cpp = [b for _, blocks in files for b in blocks if b.lang == "cpp"]
    if not cpp:
        return []
    prefix = os.path.join(work, "prefix")
    project = os.path.join(work, "cpp")
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    os.makedirs(project)
    r = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
    if r.returncode != 0:
        return [f"cmake --install failed:\n{r.stdout}\n{r.stderr}"]
    cmake = ["cmake_minimum_required(VERSION 3.25)", "project(doc_examples LANGUAGES CXX)",
             "find_package(rogatory CONFIG REQUIRED)", "find_package(OpenSSL REQUIRED)"]
    names = {}
    for n, b in enumerate(cpp):
        name = f"example_{n}"
        names[name] = b
        with open(os.path.join(project, name + ".cc"), "w") as f:
            f.write(f"// {b.where()}\n{b.text}\n")
        kind = "add_executable({0} {0}.cc)" if re.search(r"\bint main\(", b.text) else \
            "add_library({0} OBJECT {0}.cc)"
        cmake += [kind.format(name), f"target_compile_features({name} PRIVATE cxx_std_17)",
                  f"target_link_libraries({name} PRIVATE rogatory::rogatory OpenSSL::Crypto)"]
    with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
        f.write("\n".join(cmake) + "\n")
    r = subprocess.run(["cmake", "-S", project, "-B", os.path.join(project, "build"), "-G", "Ninja",
                        f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_CXX_FLAGS={cxx_flags}"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return [f"configuring the C++ examples failed:\n{r.stdout}\n{r.stderr}"]
    failures = []
    for name, b in names.items():  # one target at a time, so a failure names its block
        r = subprocess.run(["cmake", "--build", os.path.join(project, "build"), "--target", name],
                           capture_output=True, text=True)
        print(f"{b.where()}: C++ block: {'ok' if r.returncode == 0 else 'FAILED'}")
        if r.returncode != 0:
            failures.append(f"{b.where()}: does not compile with {cxx_flags}:\n{r.stdout[-4000:]}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rogatory", required=True, help="the rogatory binary")
    ap.add_argument("--source", required=True, help="the source tree")
    ap.add_argument("--build", required=True, help="the build tree to install (C++ blocks)")
    ap.add_argument("--work", help="a scratch folder (default: a temporary one)")
    ap.add_argument("--cxx-flags", default="-Wall -Wextra -Werror")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="rogatory-docs-")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    paths = ["README.md"] + sorted(os.path.relpath(p, args.source)
                                   for p in glob.glob(os.path.join(args.source, "docs", "*.md")))
    files = [(p, blocks_of(p, args.source)) for p in paths]
    proc, url = start_server(os.path.abspath(args.rogatory), args.source, work)
    try:
        failures = run_shell(files, args.source, os.path.abspath(args.rogatory), work, url)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    failures += run_cpp(files, args.build, work, args.cxx_flags)
    if failures:
        print("\n\n".join(failures), file=sys.stderr)
        print(f"server log: {work}/server.log", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
