#!/usr/bin/env bash
# HTTP benchmark (docs/performance.md, "HTTP API"): POST /v1/requests/{id}/events under wrk, in
# the same run on the same machine, round after round, against each of SERVERS:
#   beast          a bare Boost.Beast handler (tests/bench/bare_beast_server.cc) laid out as
#                  `rogatory serve`'s transport (HTTP_THREADS event loops, one thread each,
#                  answering on the loop): the baseline, the same library doing nothing but answer;
#   beast_strands  the same handler laid out as the first Beast transport (one io_context run by
#                  HTTP_THREADS threads, a strand per connection);
#   bare           a bare cpp-httplib handler (tests/bench/bare_http_server.cc), the old baseline;
#   memory         `rogatory serve` on the memory: store (the HTTP layer and engine, no disk);
#   sqlite         `rogatory serve` on an SQLite file, synchronous = FULL (every answer durable);
#   sqlite_normal  the same with store.sqlite.synchronous: NORMAL;
#   postgresql     `rogatory serve` on a throwaway PostgreSQL 15 with fsync on
#                  (tests/store/pg_test_cluster.sh --durable; skipped if PostgreSQL is missing);
#   memory_before, sqlite_before   the same two with the `rogatory` binary named by BEFORE (an
#                  older build), so a before/after pair runs back to back in one run.
# The event is the e2e fixture workflow's `note`, which stays in its state and so can be fired
# again and again; the load is spread over REQUESTS requests. Prints req/s, p99 and the server's
# CPU time per call (user + system of all its threads during the round, over the calls wrk
# completed) per round and server, then per server the medians and the ratios to the bare Beast
# and cpp-httplib handlers.
# Set ROGATORY_COMMIT_STAGES=FILE to have each SQLite server append its commit-stage latency
# table (adapters/store/src/commit_stages.h) to FILE.sqlite etc. when it stops.
#
#   tests/bench/http_bench.sh [BUILD_DIR]     default build/bench (configured Release if missing)
#
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (8), WRK_THREADS (2), REQUESTS (256),
# HTTP_THREADS (16: every server's threads; `rogatory serve` runs its calls on them),
# SERVERS (all of the above that can run), BEFORE (path of an older `rogatory`), FSYNCS (2000:
# the disk's flush latency is measured each round too, with that many 4 KiB append + fdatasync).
# SQLITE_CHECKPOINT_PAGES (unset: the default; the SQLite servers' store.sqlite.checkpoint_pages).
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
before=${BEFORE:-}
servers=${SERVERS:-beast beast_strands bare memory sqlite sqlite_normal postgresql${before:+ memory_before sqlite_before}}

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
  if [[ ${pg_started:-0} == 1 ]]; then "$root/tests/store/pg_test_cluster.sh" stop "$tmp/pg" >/dev/null 2>&1 || true; fi
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

# Starts `rogatory serve` (BINARY) on STORE_URL at PORT with SYNC, as NAME (config, log and pid
# in $tmp).
start_rogatory() {  # NAME STORE_URL PORT [SYNC] [BINARY]
  local store_line="store: \"$2\""
  [[ -n "${4:-}" ]] && store_line="store: {url: \"$2\", sqlite: {synchronous: $4${SQLITE_CHECKPOINT_PAGES:+, checkpoint_pages: $SQLITE_CHECKPOINT_PAGES}}}"
  printf '%s\n' "listen: 127.0.0.1:$3" "$store_line" \
    "workflows: $root/tests/fixtures/e2e/workflows" \
    "auth: {tokens: [{actor: bench.clerk, roles: [clerk], sha256: \"$sha\"}]}" \
    "http: {threads: $http_threads}" "log: {format: text, level: info}" >"$tmp/$1.yaml"
  local stages=()
  [[ -n "${ROGATORY_COMMIT_STAGES:-}" ]] && stages=(env "ROGATORY_COMMIT_STAGES=$ROGATORY_COMMIT_STAGES.$1")
  "${stages[@]}" "${5:-$rogatory}" serve --config "$tmp/$1.yaml" 2>"$tmp/$1.log" &
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

echo "http_bench: starting $servers and creating $requests requests on each" >&2
declare -A port_of
ids_from=""  # a rogatory server's ids, for the bare handlers' URLs (they ignore them)
start_server() {  # NAME
  local name=$1 p
  p=$(free_port)
  case $name in
    beast) "$beast" "$p" "$http_threads" "$http_threads" & pids+=($!); echo $! >"$tmp/$name.pid"; wait_for "http://127.0.0.1:$p/" ;;
    beast_strands) "$beast" "$p" "$http_threads" 0 & pids+=($!); echo $! >"$tmp/$name.pid"; wait_for "http://127.0.0.1:$p/" ;;
    bare) "$bare" "$p" "$http_threads" & pids+=($!); echo $! >"$tmp/$name.pid"; wait_for "http://127.0.0.1:$p/" ;;
    memory) start_rogatory memory "memory:" "$p" ;;
    sqlite) start_rogatory sqlite "sqlite://$tmp/full.db" "$p" FULL ;;
    sqlite_normal) start_rogatory sqlite_normal "sqlite://$tmp/normal.db" "$p" NORMAL ;;
    postgresql)
      if ! "$root/tests/store/pg_test_cluster.sh" start "$tmp/pg" --durable >"$tmp/pg.log" 2>&1; then
        echo "http_bench: no PostgreSQL ($(tail -1 "$tmp/pg.log")); skipping it" >&2
        return 1
      fi
      pg_started=1
      start_rogatory postgresql "postgresql://$(cat "$tmp/pg/url")" "$p" ;;
    memory_before) start_rogatory memory_before "memory:" "$p" "" "$before" ;;
    sqlite_before) start_rogatory sqlite_before "sqlite://$tmp/before.db" "$p" "" "$before" ;;
    *) echo "http_bench: unknown server $name" >&2; exit 2 ;;
  esac
  port_of[$name]=$p
  case $name in
    beast | beast_strands | bare) ;;
    *) create_requests "$p"; ids_from=$p ;;
  esac
}
pg_started=0
started=()
for name in $servers; do
  if start_server "$name"; then started+=("$name"); fi
done
[[ -n "$ids_from" ]] || { echo "http_bench: SERVERS needs one rogatory server" >&2; exit 2; }
for name in "${started[@]}"; do
  p=${port_of[$name]}
  if [[ -f "$tmp/ids.$p" ]]; then write_lua "$p" "$tmp/ids.$p"; else write_lua "$p" "$tmp/ids.$ids_from"; fi
done

# The CPU time the server NAME has used so far, in clock ticks (user + system, all threads).
cpu_ticks() {  # NAME
  awk '{print $14 + $15}' "/proc/$(cat "$tmp/$1.pid")/stat"
}

# Runs wrk against PORT (NAME for the log); prints "req_per_s p99_ms non2xx cpu_us_per_call"
# (the server's CPU time during the run over the calls wrk completed).
measure() {  # PORT NAME
  local out ticks
  ticks=$(cpu_ticks "$2")
  out=$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency -s "$tmp/fire.$1.lua" \
    "http://127.0.0.1:$1")
  printf '== %s\n%s\n' "$2" "$out" >>"$tmp/wrk.log"
  local rps p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/, "", v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v=v*1000}; print v}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  ticks=$(($(cpu_ticks "$2") - ticks))
  local calls cpu
  calls=$(awk '/ requests in / {print $1}' <<<"$out")
  cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$calls" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  echo "$rps $p99 ${bad:-0} $cpu"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pct() { awk -v o="$1" -v b="$2" 'BEGIN {printf "%.1f", 100 * o / b}'; }

# The disk's own flush latency in the same round, on the file system the SQLite files use: a loop
# of 4 KiB appends each followed by fdatasync; prints "p50_ms p99_ms".
printf '%s\n' \
  'import os, sys, time' \
  'fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)' \
  'lat = []' \
  'for _ in range(int(sys.argv[2])):' \
  '    t = time.perf_counter(); os.write(fd, b"x" * 4096); os.fdatasync(fd)' \
  '    lat.append(time.perf_counter() - t)' \
  'os.close(fd); os.unlink(sys.argv[1]); lat.sort()' \
  'print("%.2f %.2f" % (lat[len(lat) // 2] * 1000, lat[int(0.99 * len(lat))] * 1000))' >"$tmp/fsync.py"
: >"$tmp/r.disk"
for name in "${started[@]}"; do : >"$tmp/r.$name"; done
printf '%-6s %-14s %10s %9s %7s %8s\n' round server req_per_s p99_ms non2xx cpu_us
for round in $(seq 1 "$rounds"); do
  for name in "${started[@]}"; do
    read -r rps p99 bad cpu < <(measure "${port_of[$name]}" "$name")
    echo "$rps $p99 $cpu" >>"$tmp/r.$name"
    printf '%-6s %-14s %10s %9s %7s %8s\n' "$round" "$name" "$rps" "$p99" "$bad" "$cpu"
  done
  read -r d50 d99 < <(python3 "$tmp/fsync.py" "$tmp/fsync.bin" "${FSYNCS:-2000}")
  echo "$d50 $d99" >>"$tmp/r.disk"
  printf '%-6s %-14s %10s %9s   (4 KiB append + fdatasync: p50 %s ms)\n' "$round" disk - "$d99" "$d50"
done
col() { cut -d' ' -f"$2" "$tmp/r.$1" | median; }
declare -A rps_of
for name in "${started[@]}"; do rps_of[$name]=$(col "$name" 1); done
echo
printf '%-14s %10s %9s %9s %9s %8s\n' server median_rps p99_ms vs_beast vs_bare cpu_us
for name in "${started[@]}"; do
  vs_beast=-; vs_bare=-
  [[ -n "${rps_of[beast]:-}" ]] && vs_beast=$(awk -v o="${rps_of[$name]}" -v b="${rps_of[beast]}" 'BEGIN {printf "%.2f", o / b}')
  [[ -n "${rps_of[bare]:-}" ]] && vs_bare=$(awk -v o="${rps_of[$name]}" -v b="${rps_of[bare]}" 'BEGIN {printf "%.2f", o / b}')
  printf '%-14s %10s %9s %9s %9s %8s\n' "$name" "${rps_of[$name]}" "$(col "$name" 2)" "$vs_beast" "$vs_bare" "$(col "$name" 3)"
done
echo "disk: 4 KiB append + fdatasync, median of the rounds' p50 $(col disk 1) ms, p99 $(col disk 2) ms"
echo "targets: memory >= 0.50 of beast with p99 <= 10 ms; sqlite (FULL) >= 0.20 of beast with p99 <= 10 ms"
echo "wrk -t$wrk_threads -c$connections -d$duration, $rounds rounds (medians), $requests requests," \
  "http.threads $http_threads, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${WRK_LOG:-}" ]] && cp "$tmp/wrk.log" "$WRK_LOG"

for name in "${started[@]}"; do
  [[ -f "$tmp/$name.pid" ]] || continue
  pid=$(cat "$tmp/$name.pid")
  kill -TERM "$pid"
  wait "$pid" || { echo "http_bench: the $name server did not stop cleanly" >&2; exit 1; }
done
