#!/usr/bin/env bash
# HTTP benchmark (docs/performance.md, "HTTP API"): POST /v1/requests/{id}/events under wrk
# against the real `rogatory serve` (SQLite store, synchronous=FULL, the e2e fixture workflow's
# `note` event, which stays in its state and so can be fired again and again) and, in the same
# run on the same machine, against a bare cpp-httplib handler (tests/bench/bare_http_server.cc).
# Prints req/s and p99 for both, per round and as medians, and the ratio.
#
#   tests/bench/http_bench.sh [BUILD_DIR]     default build/bench (configured Release if missing)
#
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (8), WRK_THREADS (2), REQUESTS (256
# requests the load spreads over), HTTP_THREADS (16, both servers).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

build=${1:-build/bench}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
wrk_threads=${WRK_THREADS:-2}
requests=${REQUESTS:-256}
http_threads=${HTTP_THREADS:-16}

command -v wrk >/dev/null || { echo "http_bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
if [[ ! -x "$build/adapters/cli/rogatory" || ! -x "$build/tests/bench/bare_http_server" ]]; then
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" --target rogatory_cli bare_http_server
fi
rogatory="$root/$build/adapters/cli/rogatory"
bare="$root/$build/tests/bench/bare_http_server"

tmp=$(mktemp -d /tmp/rogatory-http-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_for() {  # URL
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "http_bench: $1 did not answer" >&2
  return 1
}

token=bench-token
sha=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
port=$(free_port)
cat >"$tmp/rogatory.yaml" <<EOF
listen: 127.0.0.1:$port
store: sqlite://$tmp/rogatory.db
workflows: $root/tests/fixtures/e2e/workflows
auth:
  tokens:
    - {actor: bench.clerk, roles: [clerk], sha256: "$sha"}
http:
  threads: $http_threads
log:
  format: text
  level: info
EOF
"$rogatory" serve --config "$tmp/rogatory.yaml" 2>"$tmp/server.log" &
pids+=($!)
server_pid=$!
wait_for "http://127.0.0.1:$port/v1/health"

echo "http_bench: creating $requests requests" >&2
: >"$tmp/ids"
for _ in $(seq 1 "$requests"); do
  curl -s -H "Authorization: Bearer $token" \
    -d '{"workflow":"case","version":1,"data":{"title":"bench"}}' \
    "http://127.0.0.1:$port/v1/requests" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' >>"$tmp/ids"
done

bare_port=$(free_port)
"$bare" "$bare_port" "$http_threads" &
pids+=($!)
wait_for "http://127.0.0.1:$bare_port/"

cat >"$tmp/fire.lua" <<EOF
-- Fires the stay event \`note\` on the prepared requests, round robin from a per-thread offset,
-- so concurrent connections rarely race on one request.
local ids = {}
for line in io.lines("$tmp/ids") do ids[#ids + 1] = line end
local n = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 997)
end
function init(args)
  n = offset or 0
end
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"event":"note","data":{"remark":"bench"}}'
function request()
  n = n + 1
  return wrk.format(nil, "/v1/requests/" .. ids[(n % #ids) + 1] .. "/events")
end
EOF

# Runs wrk against PORT; prints "req_per_s p99_ms non2xx".
measure() {
  local out
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$tmp/fire.lua" \
    "http://127.0.0.1:$1")
  echo "$out" >>"$tmp/wrk.log"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; print v}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p99 ${bad:-0}"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '%-6s %14s %10s %14s %10s %8s\n' round bare_req/s bare_p99 rogatory_req/s rog_p99 non2xx
: >"$tmp/bare"
: >"$tmp/ours"
for round in $(seq 1 "$rounds"); do
  read -r b_rps b_p99 _ < <(measure "$bare_port")
  read -r o_rps o_p99 o_bad < <(measure "$port")
  echo "$b_rps $b_p99" >>"$tmp/bare"
  echo "$o_rps $o_p99" >>"$tmp/ours"
  printf '%-6s %14s %8sms %14s %8sms %8s\n' "$round" "$b_rps" "$b_p99" "$o_rps" "$o_p99" "$o_bad"
done
b_rps=$(cut -d' ' -f1 "$tmp/bare" | median)
b_p99=$(cut -d' ' -f2 "$tmp/bare" | median)
o_rps=$(cut -d' ' -f1 "$tmp/ours" | median)
o_p99=$(cut -d' ' -f2 "$tmp/ours" | median)
ratio=$(awk -v o="$o_rps" -v b="$b_rps" 'BEGIN {printf "%.1f", 100 * o / b}')
printf 'median %14s %8sms %14s %8sms\n' "$b_rps" "$b_p99" "$o_rps" "$o_p99"
echo "rogatory serve / bare cpp-httplib: ${ratio}% of the requests per second (target >= 50%)," \
  "p99 ${o_p99} ms (target <= 10 ms); wrk -t$wrk_threads -c$connections -d$duration," \
  "$rounds rounds, $requests requests, $(nproc) cores"

kill -TERM "$server_pid"
wait "$server_pid" || { echo "http_bench: rogatory serve did not stop cleanly" >&2; exit 1; }
