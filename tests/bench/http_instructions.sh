#!/usr/bin/env bash
# Instructions per HTTP call (docs/performance.md, "Instructions per call"): runs the bare Beast
# handler and `rogatory serve` (memory store, the e2e fixture workflows) under valgrind's
# callgrind, sends SMALL and then LARGE `POST /v1/requests/{id}/events` (the `note` event) on
# one keep-alive connection, and prints (Ir(LARGE) - Ir(SMALL)) / (LARGE - SMALL): the user-space
# instructions of one call, start-up and shutdown cancelled out. Not a timing: the kernel's
# share (sockets, wake-ups) is not counted, and the load of the machine does not change it.
#
#   tests/bench/http_instructions.sh [BUILD_DIR] [ROGATORY_BINARY]   default build/ci, its rogatory
#
# Environment: SMALL (200), LARGE (2200), KEEP (a folder to keep the callgrind files in, for
# callgrind_annotate --inclusive=yes), STORE (memory; `sqlite` serves a fresh SQLite file with
# synchronous FULL, each call then a batch of one).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/ci}
rogatory=${2:-$build/adapters/cli/rogatory}
beast=$build/tests/bench/bare_beast_server
small=${SMALL:-200}
large=${LARGE:-2200}
command -v valgrind >/dev/null || { echo "http_instructions: valgrind is not installed" >&2; exit 1; }
[[ -x $rogatory && -x $beast ]] || { echo "http_instructions: build rogatory_cli and bare_beast_server in $build" >&2; exit 1; }
tmp=$(mktemp -d /tmp/rogatory-http-ir.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$(pwd)

cat >"$tmp/client.py" <<'PY'
# Sends N calls on one keep-alive connection (raw socket); fails on any answer but 200.
import socket, sys
port, n, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
body = b'{"event":"note","data":{"remark":"bench"}}'
req = (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
       b"Authorization: Bearer bench-token\r\nContent-Type: application/json\r\n"
       b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
s = socket.create_connection(("127.0.0.1", port))
buf = b""
for _ in range(n):
    s.sendall(req)
    while True:
        i = buf.find(b"\r\n\r\n")
        if i >= 0:
            head = buf[:i].decode()
            length = 0
            for line in head.split("\r\n")[1:]:
                k, v = line.split(":", 1)
                if k.lower() == "content-length":
                    length = int(v)
            if len(buf) >= i + 4 + length:
                if not head.startswith("HTTP/1.1 200"):
                    sys.exit("http_instructions: " + head)
                buf = buf[i + 4 + length:]
                break
        data = s.recv(65536)
        if not data:
            sys.exit("http_instructions: the server closed the connection")
        buf += data
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sha=$(printf %s bench-token | sha256sum | cut -d' ' -f1)

# Runs server KIND (beast | rogatory) under callgrind for N calls; prints its total Ir.
instructions() {  # KIND N
  local kind=$1 n=$2 port id pid out="$tmp/$1.$2.callgrind"
  port=$(free_port)
  if [[ $kind == rogatory ]]; then
    local store='"memory:"'
    if [[ ${STORE:-memory} == sqlite ]]; then
      rm -f "$tmp/store.db"*
      store="sqlite://$tmp/store.db"
    fi
    printf '%s\n' "listen: 127.0.0.1:$port" "store: $store" \
      "workflows: $root/tests/fixtures/e2e/workflows" \
      "auth: {tokens: [{actor: bench.clerk, roles: [clerk], sha256: \"$sha\"}]}" \
      "http: {threads: 2}" "log: {format: text, level: info}" >"$tmp/serve.yaml"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$rogatory" serve --config "$tmp/serve.yaml" 2>"$tmp/$kind.log" &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out" "$beast" "$port" 2 2 2>"$tmp/$kind.log" &
  fi
  pid=$!
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$port/v1/health" && break; sleep 0.1; done
  id=x
  if [[ $kind == rogatory ]]; then
    id=$(curl -sf --retry 5 --retry-all-errors -H 'Authorization: Bearer bench-token' \
      -d '{"workflow":"case","version":1,"data":{"title":"bench"}}' "http://127.0.0.1:$port/v1/requests" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  fi
  python3 "$tmp/client.py" "$port" "$n" "/v1/requests/$id/events"
  kill -TERM "$pid"
  wait "$pid" || true
  if [[ -n ${KEEP:-} ]]; then cp "$out" "$KEEP/"; fi
  callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}'
}

printf '%-10s %14s %14s %14s\n' server "Ir($small)" "Ir($large)" Ir_per_call
for kind in beast rogatory; do
  a=$(instructions "$kind" "$small")
  b=$(instructions "$kind" "$large")
  printf '%-10s %14s %14s %14.0f\n' "$kind" "$a" "$b" "$(awk -v a="$a" -v b="$b" -v n=$((large - small)) 'BEGIN {print (b - a) / n}')"
done
