# shellcheck shell=bash
# Shared steps of the benchmark scripts (scripts/bench, scripts/bench-http, scripts/bench-verify).
# Source it from the repository root after `set -euo pipefail`. Every measurement is printed as
# one JSON line; peers (ledgerd, PostgreSQL, nginx) listen on loopback only and are stopped by
# bench_cleanup, which bench_init installs as the EXIT trap.
#
# Globals: bench_work (scratch directory, removed at exit unless BENCH_KEEP=1), ledgerd_pid,
# nginx_pid.

bench_pg_bin=/usr/lib/postgresql/15/bin
bench_ledgerd_port=${BENCH_LEDGERD_PORT:-18080}
bench_nginx_port=${BENCH_NGINX_PORT:-18081}
bench_pg_port=${BENCH_PG_PORT:-15432}
ledgerd_pid=
nginx_pid=

# bench_init PREFIX: a scratch directory and the exit trap.
bench_init() {
  bench_work=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$bench_work"
  trap bench_cleanup EXIT
}

bench_cleanup() {
  bench_ledgerd_stop
  bench_nginx_stop
  bench_pg_stop
  if [[ "${BENCH_KEEP:-0}" != 1 && -n "${bench_work:-}" ]]; then rm -rf "$bench_work"; fi
}

bench_log() { echo "bench: $*" >&2; }

# bench_need_packages PACKAGE...: installs with apt-get the Debian packages not yet installed.
bench_need_packages() {
  local missing=() package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  bench_log "installing ${missing[*]}"
  local sudo_prefix=()
  [[ $(id -u) -eq 0 ]] || sudo_prefix=(sudo)
  "${sudo_prefix[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null ||
    { "${sudo_prefix[@]}" apt-get update -qq &&
      "${sudo_prefix[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null; }
  # Debian starts the services it installs: the benchmarks start their own, on other ports.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    "${sudo_prefix[@]}" systemctl stop nginx 2>/dev/null || "${sudo_prefix[@]}" service nginx stop \
      2>/dev/null || true
  fi
}

bench_now() { date +%s.%N; }

# bench_seconds_since START: seconds elapsed, two decimals.
bench_seconds_since() {
  python3 -c 'import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]), 2))' \
    "$(bench_now)" "$1"
}

# bench_json_field FIELD: the field of the JSON object on stdin.
bench_json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# bench_tag KEY=VALUE...: adds fields to each JSON object line of stdin (numbers stay numbers);
# other lines are dropped.
bench_tag() {
  python3 -c '
import json, sys
extra = {}
for pair in sys.argv[1:]:
    key, value = pair.split("=", 1)
    try:
        extra[key] = json.loads(value)
    except ValueError:
        extra[key] = value
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{"):
        record = json.loads(line)
        record.update(extra)
        print(json.dumps(record), flush=True)
' "$@"
}

# bench_wait_for_line FILE PATTERN [TENTHS]: waits until FILE holds PATTERN (default 30 s).
bench_wait_for_line() {
  local tries=${3:-300}
  for _ in $(seq "$tries"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  bench_log "timed out waiting for '$2' in $1"
  return 1
}

# --- ledgerd -------------------------------------------------------------------------------------

bench_ledgerd_base="http://127.0.0.1:$bench_ledgerd_port"

# bench_ledgerd_start DATA_DIR: starts build/bin/ledgerd on DATA_DIR and waits until it listens.
# Email delivery (one .eml file per payment when no relay is set) runs only at start: a delivery
# pass sends everything queued before it looks at SIGTERM, which after a load of debits held the
# server's exit for minutes and wrote files beside the measurement. The emails projection still
# queues its outbox row for every payment.
bench_ledgerd_start() {
  build/bin/ledgerd --data-dir "$1" --listen "127.0.0.1:$bench_ledgerd_port" --password-cost 10 \
    --login-limit 100000 --email-interval-ms 86400000 >"$1.ledgerd.log" 2>&1 &
  ledgerd_pid=$!
  bench_wait_for_line "$1.ledgerd.log" "listening on" 6000
}

bench_ledgerd_stop() {
  [[ -n "$ledgerd_pid" ]] || return 0
  kill "$ledgerd_pid" 2>/dev/null || true
  wait "$ledgerd_pid" 2>/dev/null || true
  ledgerd_pid=
}

# bench_ledgerd_admin_token DATA_DIR: logs in as the first admin.
bench_ledgerd_admin_token() {
  curl -sf "$bench_ledgerd_base/api/auth/login/" -H 'Content-Type: application/json' \
    -d "{\"email\":\"admin@localhost\",\"password\":\"$(cat "$1/initial-admin-password")\"}" |
    bench_json_field token
}

# bench_ledgerd_clients DATA_DIR COUNT TOKENS_FILE: creates COUNT clients with funded wallets
# (1,000,000.00 each) and writes their bearer tokens to TOKENS_FILE, one a line.
bench_ledgerd_clients() {
  local data_dir=$1 count=$2 tokens_file=$3 admin token topup i
  admin=$(bench_ledgerd_admin_token "$data_dir")
  : >"$tokens_file"
  for i in $(seq "$count"); do
    curl -sf "$bench_ledgerd_base/api/users/" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "{\"email\":\"bench$i@example.com\",\"password\":\"bench-password\",\"name\":\"Bench $i\",\"role\":\"client\"}" \
      >/dev/null
    token=$(curl -sf "$bench_ledgerd_base/api/auth/login/" -H 'Content-Type: application/json' \
      -d "{\"email\":\"bench$i@example.com\",\"password\":\"bench-password\"}" | bench_json_field token)
    topup=$(curl -sf "$bench_ledgerd_base/api/wallet/topup/" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d '{"amount":"1000000.00","payment_method":"card"}' | bench_json_field id)
    curl -sf "$bench_ledgerd_base/api/wallet/topups/$topup/confirm/" \
      -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d '{"provider_reference":"bench"}' >/dev/null
    echo "$token" >>"$tokens_file"
  done
}

# bench_ledgerd_wait_projections DATA_DIR [SECONDS]: waits until every asynchronous projection
# has caught up with the head (default at most 1800 s); prints the seconds waited.
bench_ledgerd_wait_projections() {
  local admin start lag
  admin=$(bench_ledgerd_admin_token "$1")
  start=$(bench_now)
  for _ in $(seq "${2:-1800}"); do
    lag=$(curl -sf "$bench_ledgerd_base/api/admin/projections/" -H "Authorization: Bearer $admin" |
      python3 -c 'import json, sys; print(max([r["lag_events"] for r in json.load(sys.stdin)["results"]] + [0]))')
    [[ "$lag" == 0 ]] && break
    sleep 1
  done
  bench_seconds_since "$start"
}

# bench_rss PID: {"vm_rss_kb":..,"vm_hwm_kb":..} from /proc/PID/status.
bench_rss() {
  awk '/^VmRSS:/ {rss = $2} /^VmHWM:/ {hwm = $2}
       END {printf "{\"vm_rss_kb\":%d,\"vm_hwm_kb\":%d}\n", rss, hwm}' "/proc/$1/status"
}

# --- wrk (closed loop) and the open-loop client --------------------------------------------------

# bench_wrk LUA_SCRIPT URL CONNECTIONS SECONDS: one wrk run (its JSON line, tagged with the
# connections and mode). wrk needs at least as many connections as threads.
bench_wrk() {
  local threads=2
  (($3 >= 2)) || threads=1
  wrk -t"$threads" -c"$3" -d"$4s" --latency -s "$1" "$2" |
    bench_tag connections="$3" mode=closed-loop seconds="$4"
}

# bench_open_loop NAME METHOD PATH BODY RATE CONNECTIONS SECONDS: one open-loop run against
# ledgerd with the tokens of $bench_work/tokens.
bench_open_loop() {
  local body_args=()
  [[ -z "$4" ]] || body_args=(--body "$4")
  build/bin/ledger-bench http-open-loop --name "$1" --method "$2" --url "$bench_ledgerd_base$3" \
    "${body_args[@]}" --rate "$5" --connections "$6" --seconds "$7" --threads 2 \
    --tokens-file "$bench_work/tokens" | bench_tag
}

# --- PostgreSQL 15 -------------------------------------------------------------------------------

bench_pg_start() {
  mkdir -p "$bench_work/pg" "$bench_work/pgrun"
  chown postgres "$bench_work/pg" "$bench_work/pgrun"
  runuser -u postgres -- "$bench_pg_bin/initdb" -D "$bench_work/pg" -A trust >/dev/null
  runuser -u postgres -- "$bench_pg_bin/pg_ctl" -D "$bench_work/pg" -l "$bench_work/pgrun/pg.log" \
    -o "-p $bench_pg_port -k $bench_work/pgrun -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on -c max_connections=200" \
    -w start >/dev/null
  psql -q -h "$bench_work/pgrun" -p "$bench_pg_port" -U postgres -f tools/pgbench/schema.sql \
    postgres >/dev/null
}

bench_pg_stop() {
  [[ -n "${bench_work:-}" && -f "$bench_work/pg/postmaster.pid" ]] || return 0
  runuser -u postgres -- "$bench_pg_bin/pg_ctl" -D "$bench_work/pg" -m fast stop \
    >/dev/null 2>&1 || true
}

# bench_pgbench CLIENTS SECONDS [NAME SCRIPT...]: pgbench running SCRIPTs (tools/pgbench/*.sql,
# chosen at random with equal weight; default the wallet debit of wallet_debit.sql, named
# pg-debit); one JSON line with the transactions per second and latency percentiles from
# pgbench's per-transaction log. It connects to bench_pg_start's server, or to the libpq URL in
# bench_pg_url when that is set (scripts/bench-cluster: the Patroni primary).
bench_pgbench() {
  local clients=$1 seconds=$2 threads=2 name=${3:-pg-debit} logs scripts=() script
  shift 2; (($# == 0)) || shift
  (($# > 0)) || set -- wallet_debit.sql
  for script in "$@"; do scripts+=(-f "$PWD/tools/pgbench/$script@1"); done
  logs="$bench_work/pglog-$name-$clients"
  ((clients >= 2)) || threads=1
  mkdir -p "$logs" && chmod 777 "$logs"
  local target=(-h "$bench_work/pgrun" -p "$bench_pg_port" -U postgres postgres)
  [[ -z "${bench_pg_url:-}" ]] || target=("$bench_pg_url")
  (cd "$logs" && pgbench -n -c "$clients" -j "$threads" -T "$seconds" -D wallets=64 \
    -D clients=64 -l --log-prefix=tx "${scripts[@]}" "${target[@]}" >"$logs/summary.txt" 2>&1)
  python3 - "$logs" "$clients" "$seconds" "$name" <<'PY'
import glob, json, re, sys
logs, clients, seconds, bench = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
latencies = []
for name in glob.glob(logs + "/tx*"):
    for line in open(name):
        fields = line.split()
        if len(fields) >= 3:
            latencies.append(int(fields[2]))  # client_id transaction_no time_us ...
latencies.sort()
summary = open(logs + "/summary.txt").read()
tps = float(re.search(r"tps = ([0-9.]+)", summary).group(1))
def percentile(p):
    if not latencies:
        return 0
    rank = max(1, -(-len(latencies) * p // 100))
    return latencies[int(rank) - 1]
print(json.dumps({"bench": bench, "mode": "closed-loop", "connections": clients,
                  "seconds": seconds, "requests": len(latencies), "per_second": round(tps),
                  "p50_us": percentile(50), "p99_us": percentile(99),
                  "p999_us": percentile(99.9)}))
PY
}

# --- nginx ---------------------------------------------------------------------------------------

# bench_nginx_start: nginx (2 workers, like ledgerd's 2 threads) answering every GET with the
# same small JSON body as a balance query.
bench_nginx_start() {
  cat >"$bench_work/nginx.conf" <<CONF
worker_processes 2;
pid $bench_work/nginx.pid;
error_log $bench_work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$bench_nginx_port;
    location / {
      default_type application/json;
      return 200 '{"balance":"999999.99","available_balance":"999999.99","held":"0.00","currency":"USD","total_credited":"1000000.00","total_spent":"0.01"}';
    }
  }
}
CONF
  nginx -c "$bench_work/nginx.conf" -g 'daemon off;' &
  nginx_pid=$!
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$bench_nginx_port/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  bench_log "nginx did not start"
  return 1
}

bench_nginx_stop() {
  [[ -n "$nginx_pid" ]] || return 0
  kill "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
}

# --- large logs ----------------------------------------------------------------------------------

# bench_build_log EVENTS DATA_DIR: a log of EVENTS wallet payments over 10,000 wallets (plus their
# top-ups), compacted like a long-lived store. Prints the engine's JSON line and the build time.
bench_build_log() {
  local start
  start=$(bench_now)
  build/bin/ledger-bench debit --events "$1" --wallets 10000 --batch 1000 --data-dir "$2" |
    bench_tag role=build-log
  build/bin/ledgerctl compact --data-dir "$2" >/dev/null
  echo "{\"bench\":\"build-log\",\"events\":$1,\"seconds\":$(bench_seconds_since "$start")}"
}

# bench_log_head DATA_DIR: the position of the last event.
bench_log_head() {
  build/bin/ledger-audit head --format json --data-dir "$1" | bench_json_field position
}

# bench_rebuild_all DATA_DIR: ledgerctl projections rebuild --all, offline, one JSON line per
# read model with the events of the log; then the total.
bench_rebuild_all() {
  local start events
  events=$(bench_log_head "$1")
  start=$(bench_now)
  build/bin/ledgerctl projections rebuild --all --quiet --format json --data-dir "$1" |
    bench_tag bench=rebuild log_events="$events"
  echo "{\"bench\":\"rebuild-all\",\"log_events\":$events,\"seconds\":$(bench_seconds_since "$start")}"
}

# bench_verify_runs DATA_DIR RUNS: ledger-audit verify, RUNS times (its JSON line each).
bench_verify_runs() {
  for _ in $(seq "$2"); do
    build/bin/ledger-audit verify --quiet --format json --data-dir "$1" | tail -1 |
      bench_tag bench=verify
  done
}

# --- raw RocksDB ---------------------------------------------------------------------------------

# bench_db_bench ARGS...: db_bench on a scratch database; one JSON line per benchmark it reports.
bench_db_bench() {
  rm -rf "$bench_work/dbb"
  db_bench "$@" --db="$bench_work/dbb" 2>&1 | grep -E '^(fillseq|readseq) ' |
    awk '{print "{\"bench\":\"db_bench-" $1 "\",\"per_second\":" $5 "}"}'
  rm -rf "$bench_work/dbb"
}

# bench_db_bench_fillseq_sync NUM: synced WAL, batches of 1000, 150-byte values (DESIGN.md).
bench_db_bench_fillseq_sync() {
  bench_db_bench --benchmarks=fillseq --sync=1 --batch_size=1000 --value_size=150 --num="$1" |
    bench_tag bench=db_bench-fillseq-sync num="$1"
}

# bench_db_bench_readseq NUM: NUM values of 230 bytes (a ledger record), LZ4 like the store, read
# in order twice (the second read is the one with a warm cache).
bench_db_bench_readseq() {
  bench_db_bench --benchmarks=fillseq,readseq,readseq --num="$1" --value_size=230 \
    --compression_type=lz4 | bench_tag num="$1"
}
