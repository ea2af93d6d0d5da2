#!/usr/bin/env bash
# HTTP benchmark (docs/performance.md, "HTTP API"): POST /v1/requests/{id}/events under wrk, in
# the same run on the same machine, against
#   beast   a bare Boost.Beast handler (tests/bench/bare_beast_server.cc), the baseline: the
#           same library as `rogatory serve`'s transport, doing nothing but answer;
#   bare    a bare cpp-httplib handler (tests/bench/bare_http_server.cc), the old baseline;
#   sqlite  the real `rogatory serve` on an SQLite file (synchronous=FULL: every answer durable);
#   memory  `rogatory serve` on the memory: store (the HTTP layer and engine without the disk).
# The event is the e2e fixture workflow's `note`, which stays in its state and so can be fired
# again and again; the load is spread over REQUESTS requests. Prints req/s and p99 per round and
# the medians, and the ratios to the bare Beast handler (and to the cpp-httplib one).
#
#   tests/bench/http_bench.sh [BUILD_DIR]     default build/bench (configured Release if missing)
#
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (8), WRK_THREADS (2), REQUESTS (256),
# HTTP_THREADS (16, every server).
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
if [[ ! -x "$build/adapters/cli/rogatory" || ! -x "$build/tests/bench/bare_http_server" ||
      ! -x "$build/tests/bench/bare_beast_server" ]]; then
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" --target rogatory_cli bare_http_server bare_beast_server
fi
rogatory="$root/$build/adapters/cli/rogatory"
bare="$root/$build/tests/bench/bare_http_server"
beast="$root/$build/tests/bench/bare_beast_server"

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

# Starts `rogatory serve` on STORE_URL at PORT, as NAME (config, log and pid in $tmp).
start_rogatory() {  # NAME STORE_URL PORT
  printf '%s\n' "listen: 127.0.0.1:$3" "store: \"$2\"" \
    "workflows: $root/tests/fixtures/e2e/workflows" \
    "auth: {tokens: [{actor: bench.clerk, roles: [clerk], sha256: \"$sha\"}]}" \
    "http: {threads: $http_threads}" "log: {format: text, level: info}" >"$tmp/$1.yaml"
  "$rogatory" serve --config "$tmp/$1.yaml" 2>"$tmp/$1.log" &
  echo $! >"$tmp/$1.pid"
  pids+=($!)
  wait_for "http://127.0.0.1:$3/v1/health" || { cat "$tmp/$1.log" >&2; return 1; }
}

# Creates $requests `case` requests on PORT; their ids go to $tmp/ids.PORT (one per line).
create_requests() {  # PORT
  python3 "$tmp/create.py" "$1" "$requests" "$token" >"$tmp/ids.$1"
}
printf '%s\n' \
  'import http.client, json, sys' \
  'port, n, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]' \
  'conn = http.client.HTTPConnection("127.0.0.1", port)' \
  'for _ in range(n):' \
  '    conn.request("POST", "/v1/requests",' \
  '                 body=b"{\"workflow\":\"case\",\"version\":1,\"data\":{\"title\":\"bench\"}}",' \
  '                 headers={"Authorization": "Bearer " + token})' \
  '    r = conn.getresponse()' \
  '    body = r.read()' \
  '    if r.status != 201:' \
  '        sys.exit("http_bench: create failed: %d %s" % (r.status, body[:200]))' \
  '    print(json.loads(body)["id"])' >"$tmp/create.py"

# The wrk script for PORT: fires `note` on the prepared requests, round robin from a per-thread
# offset, so concurrent connections rarely race on one request.
write_lua() {  # PORT IDS_FILE
  printf '%s\n' \
    'local ids = {}' \
    "for line in io.lines(\"$2\") do ids[#ids + 1] = line end" \
    'local n = 0' \
    'local threads = 0' \
    'function setup(thread) threads = threads + 1; thread:set("offset", threads * 997) end' \
    'function init(args) n = offset or 0 end' \
    'wrk.method = "POST"' \
    "wrk.headers[\"Authorization\"] = \"Bearer $token\"" \
    'wrk.headers["Content-Type"] = "application/json"' \
    "wrk.body = '{\"event\":\"note\",\"data\":{\"remark\":\"bench\"}}'" \
    'function request()' \
    '  n = n + 1' \
    '  return wrk.format(nil, "/v1/requests/" .. ids[(n % #ids) + 1] .. "/events")' \
    'end' >"$tmp/fire.$1.lua"
}

echo "http_bench: starting the servers and creating $requests requests on each" >&2
port=$(free_port)
start_rogatory sqlite "sqlite://$tmp/rogatory.db" "$port"
mem_port=$(free_port)
start_rogatory memory "memory:" "$mem_port"
bare_port=$(free_port)
"$bare" "$bare_port" "$http_threads" &
pids+=($!)
wait_for "http://127.0.0.1:$bare_port/"
beast_port=$(free_port)
"$beast" "$beast_port" "$http_threads" &
pids+=($!)
wait_for "http://127.0.0.1:$beast_port/"
create_requests "$port"
create_requests "$mem_port"
write_lua "$port" "$tmp/ids.$port"
write_lua "$mem_port" "$tmp/ids.$mem_port"
write_lua "$bare_port" "$tmp/ids.$port"
write_lua "$beast_port" "$tmp/ids.$port"

# Runs wrk against PORT; prints "req_per_s p99_ms non2xx".
measure() {
  local out
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$tmp/fire.$1.lua" \
    "http://127.0.0.1:$1")
  echo "$out" >>"$tmp/wrk.log"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; print v}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p99 ${bad:-0}"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { awk -v o="$1" -v b="$2" 'BEGIN {printf "%.1f", 100 * o / b}'; }

printf '%-6s %12s %9s %12s %9s %12s %9s %12s %9s %7s\n' round beast_rps beast_p99 bare_rps \
  bare_p99 sqlite_rps sqlite_p99 memory_rps mem_p99 non2xx
: >"$tmp/beast"
: >"$tmp/bare"
: >"$tmp/sqlite"
: >"$tmp/memory"
for round in $(seq 1 "$rounds"); do
  read -r w_rps w_p99 _ < <(measure "$beast_port")
  read -r b_rps b_p99 _ < <(measure "$bare_port")
  read -r s_rps s_p99 s_bad < <(measure "$port")
  read -r m_rps m_p99 m_bad < <(measure "$mem_port")
  echo "$w_rps $w_p99" >>"$tmp/beast"
  echo "$b_rps $b_p99" >>"$tmp/bare"
  echo "$s_rps $s_p99" >>"$tmp/sqlite"
  echo "$m_rps $m_p99" >>"$tmp/memory"
  printf '%-6s %12s %7sms %12s %7sms %12s %7sms %12s %7sms %7s\n' "$round" "$w_rps" "$w_p99" \
    "$b_rps" "$b_p99" "$s_rps" "$s_p99" "$m_rps" "$m_p99" "$((s_bad + m_bad))"
done
col() { cut -d' ' -f"$2" "$tmp/$1" | median; }
w_rps=$(col beast 1) w_p99=$(col beast 2)
b_rps=$(col bare 1) b_p99=$(col bare 2)
s_rps=$(col sqlite 1) s_p99=$(col sqlite 2)
m_rps=$(col memory 1) m_p99=$(col memory 2)
printf '%-6s %12s %7sms %12s %7sms %12s %7sms %12s %7sms\n' median "$w_rps" "$w_p99" "$b_rps" \
  "$b_p99" "$s_rps" "$s_p99" "$m_rps" "$m_p99"
echo "rogatory serve, memory: store: $(pct "$m_rps" "$w_rps")% of the bare Beast handler's req/s" \
  "(target >= 50%), p99 ${m_p99} ms (target <= 10 ms); $(pct "$m_rps" "$b_rps")% of bare cpp-httplib's"
echo "rogatory serve, SQLite synchronous=FULL: $(pct "$s_rps" "$w_rps")% of the bare Beast" \
  "handler's req/s, p99 ${s_p99} ms; $(pct "$s_rps" "$b_rps")% of bare cpp-httplib's"
echo "bare Beast handler: $(pct "$w_rps" "$b_rps")% of bare cpp-httplib's req/s"
echo "wrk -t$wrk_threads -c$connections -d$duration, $rounds rounds, $requests requests," \
  "http.threads $http_threads, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

for name in sqlite memory; do
  pid=$(cat "$tmp/$name.pid")
  kill -TERM "$pid"
  wait "$pid" || { echo "http_bench: rogatory serve ($name) did not stop cleanly" >&2; exit 1; }
done
