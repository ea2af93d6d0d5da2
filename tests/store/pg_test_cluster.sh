#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks.
#
#   pg_test_cluster.sh start STATE_DIR [--durable]   initdb + pg_ctl start; writes STATE_DIR/url
#   pg_test_cluster.sh stop STATE_DIR                stops the cluster and removes its data
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (runuser);
# its data lives in a temporary folder that user owns. It listens on 127.0.0.1 at a free port,
# with trust authentication (local testing only). STATE_DIR/url holds the libpq keyword form,
# "host=127.0.0.1 port=N user=postgres dbname=postgres"; tests read it (or ROGATORY_TEST_PG_URL).
# Without --durable the cluster trades durability for speed (fsync off), fine for tests; the
# benchmarks pass --durable to measure real commits.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
state=${2:-}
if [[ -z "$cmd" || -z "$state" ]]; then
  echo "usage: $0 start|stop STATE_DIR [--durable]" >&2
  exit 2
fi

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_cluster() {
  if [[ -f "$state/datadir" ]]; then
    local data
    data=$(cat "$state/datadir")
    if [[ -d "$data/data" ]]; then
      as_pg "$PG_BIN/pg_ctl" -D "$data/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
    rm -f "$state/datadir" "$state/url"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

case "$cmd" in
  start)
    durable=0
    [[ "${3:-}" == "--durable" ]] && durable=1
    mkdir -p "$state"
    stop_cluster  # a cluster left over from an interrupted run
    if [[ ! -x "$PG_BIN/initdb" ]]; then
      echo "pg_test_cluster: PostgreSQL server binaries not found in $PG_BIN" >&2
      exit 1
    fi
    data=$(mktemp -d /tmp/rogatory-pg.XXXXXX)
    echo "$data" >"$state/datadir"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres: "$data"
    fi
    as_pg "$PG_BIN/initdb" -D "$data/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
    settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=200"
    if [[ $durable -eq 0 ]]; then
      settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    # The port is free when chosen; another process may take it before the server binds: retry.
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      if as_pg "$PG_BIN/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 30 \
          -o "-p $port $settings" start >/dev/null 2>&1; then
        echo "host=127.0.0.1 port=$port user=postgres dbname=postgres" >"$state/url"
        echo "pg_test_cluster: listening on 127.0.0.1:$port (data in $data)"
        exit 0
      fi
    done
    cat "$data/server.log" >&2 || true
    echo "pg_test_cluster: could not start PostgreSQL" >&2
    exit 1
    ;;
  stop)
    stop_cluster
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR [--durable]" >&2
    exit 2
    ;;
esac
