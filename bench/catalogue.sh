#!/usr/bin/env bash
# The public catalogue and the writes (issue 13), measured side by side in one run on this machine
# and written into BENCHMARKS.md as the section "Catalogue and writes at N pledges" (the rest of
# the file is kept):
#   - reads with `wrk -t2 -c32`, each as a ratio to `GET /livez` measured in the same round on the
#     same server: one pledge, the first catalogue page, a page 20,000 pledges deep, every filter,
#     a pair of filters, a common and a rare search word, `/stats`;
#   - pledge creations (16 clients, one account) and approvals (4 moderator clients, If-Match),
#     the approvals once in a database whose pledges come from 50 organisations and once from
#     5,000 organisations targeting 200 countries;
#   - the p99 of `/stats` while 8 clients log in non-stop, against without;
#   - resident memory idle after start and after paging through the whole catalogue, and the time
#     from start to `/readyz` answering 200.
# Every measure runs on the embedded SQLite default and, when PostgreSQL server binaries are
# found (or PG=1), on a throwaway PostgreSQL cluster started here and removed on exit. Rounds go
# round-robin over every measure of both backends, so machine noise hits all alike.
#
# Usage: bench/catalogue.sh
# Settings: PLEDGES=100000 DURATION=10 ROUNDS=3 PG=auto|1|0 APPROVALS=<per round and scenario,
#           default 300 x DURATION> APPROVAL_PLEDGES=10000 (size of the approval databases)
#           READY_PLEDGES=1000000 (the embedded database readiness is timed on; 0 skips it)
#           READY_DIR=<folder> (time the starts on the SQLite database already in this data folder,
#           seeded beforehand with `pledgeboard seed-demo --pledges N --data-dir <folder>`,
#           instead of seeding READY_PLEDGES anew; it is used, not copied)
#           READY_ONLY=1 (only the readiness measure: three starts printed, BENCHMARKS.md untouched)
#           PORT=18090 PG_PORT=55460
set -euo pipefail
cd "$(dirname "$0")/.."

PLEDGES=${PLEDGES:-100000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
PG=${PG:-auto}
READY_DIR=${READY_DIR:-}
READY_ONLY=${READY_ONLY:-0}
[ "$READY_ONLY" = 1 ] && PG=0
APPROVALS=${APPROVALS:-$((300 * DURATION))}
APPROVAL_PLEDGES=${APPROVAL_PLEDGES:-10000}
READY_PLEDGES=${READY_PLEDGES:-1000000}
PORT=${PORT:-18090}
PG_PORT=${PG_PORT:-55460}
CONNECTIONS=32
DEEP=$((PLEDGES / 5 < 20000 ? PLEDGES / 5 : 20000))
PASSWORD="benchmark passphrase $(date +%s)"
MODERATOR=bench-moderator@example.org
DEMO_ORG=d3e00000-0000-7000-8000-
COMMAND="PLEDGES=$PLEDGES DURATION=$DURATION ROUNDS=$ROUNDS APPROVALS=$APPROVALS APPROVAL_PLEDGES=$APPROVAL_PLEDGES READY_PLEDGES=$READY_PLEDGES ${READY_DIR:+READY_DIR=$READY_DIR }PG=$PG bench/catalogue.sh"
# Limits raised so that they do not shape the figures, and background jobs off.
SETTINGS=(--login-per-ip-per-minute 1000000 --login-per-account-per-minute 1000000
    --register-per-ip-per-hour 1000000 --reset-per-ip-per-hour 1000000
    --access-token-ttl-secs 86400 --counter-check-interval-secs 0 --reminder-interval-secs 0
    --log-format json)
STARTED_AT=$(date +%s)

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
cargo build --release --bin pledgeboard --example write_bench
BIN=target/release/pledgeboard
DRIVER=target/release/examples/write_bench
WORK="$(mktemp -d)"
chmod 755 "$WORK"
RESULTS="$WORK/results"
: >"$RESULTS"
declare -A PIDS=()

PG_BIN=""
if [ "$PG" != 0 ]; then
    for candidate in /usr/lib/postgresql/*/bin; do
        [ -x "$candidate/initdb" ] && PG_BIN="$candidate"
    done
    if [ -z "$PG_BIN" ] && [ "$PG" = 1 ]; then
        apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
        for candidate in /usr/lib/postgresql/*/bin; do
            [ -x "$candidate/initdb" ] && PG_BIN="$candidate"
        done
        [ -n "$PG_BIN" ] || { echo "PostgreSQL server binaries not found"; exit 1; }
    fi
fi
BACKENDS=(sqlite)
[ -n "$PG_BIN" ] && BACKENDS+=(pg)

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
    for key in "${!PIDS[@]}"; do kill "${PIDS[$key]}" 2>/dev/null || true; done
    if [ -n "$PG_BIN" ] && [ -d "$WORK/pg/data" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "$PG_BIN" ]; then
    echo "==> starting a throwaway PostgreSQL cluster on port $PG_PORT"
    mkdir -p "$WORK/pg"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
    as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -A trust -U postgres >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" \
        -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" \
        -l "$WORK/pg/log" -w start >/dev/null
fi
psql_do() { psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
pg_url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$1"; }

# The settings of a database: `name backend` -> data dir and database flags.
# SQLite databases live in $WORK/<name>; PostgreSQL ones are databases <name> with $WORK/<name>
# as the data folder (mail, nothing else).
db_args() {
    local name=$1 backend=$2
    if [ "$backend" = pg ]; then
        echo "--data-dir $WORK/$name-$backend --database-url $(pg_url "${name//-/_}")"
    else
        echo "--data-dir $WORK/$name-$backend"
    fi
}
create_db() {
    local name=$1 backend=$2
    mkdir -p "$WORK/$name-$backend"
    [ "$backend" = pg ] && psql_do -d postgres -c "CREATE DATABASE ${name//-/_}"
    return 0
}
sql() {
    local name=$1 backend=$2 file=$3
    if [ "$backend" = pg ]; then
        psql_do -d "${name//-/_}" -f "$file" >/dev/null
    else
        sqlite3 "$WORK/$name-$backend/pledgeboard.sqlite3" <"$file"
    fi
}
# Starts the server of a database on a port; records the seconds to `/readyz` 200.
start() {
    local name=$1 backend=$2 port=$3
    local t0 t1
    t0=$(date +%s.%N)
    # shellcheck disable=SC2046
    "$BIN" serve --bind "127.0.0.1:$port" $(db_args "$name" "$backend") "${SETTINGS[@]}" \
        >>"$WORK/$name-$backend.log" 2>&1 &
    PIDS[$name-$backend]=$!
    for _ in $(seq 1 3000); do
        if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
            t1=$(date +%s.%N)
            echo "$backend $name ready_s $(awk "BEGIN {print $t1 - $t0}")" >>"$WORK/starts"
            return 0
        fi
        sleep 0.01
    done
    echo "server $name-$backend did not start"; tail -20 "$WORK/$name-$backend.log"; exit 1
}
stop() {
    local key=$1-$2
    kill -TERM "${PIDS[$key]}"; wait "${PIDS[$key]}" || true; unset "PIDS[$key]"
}
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${PIDS[$1]}/status"; }
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
# wrk: "<req/s> <p99 ms>"
wrk_run() {
    wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$1" | awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ {rps = $2} $1 == "99%" {p99 = ms($2)} END {print rps, p99}'
}
record() { echo "$*" | tee -a "$RESULTS"; }

# Readiness on a large embedded database (READY_PLEDGES pledges seeded into a database of its
# own, or the one in READY_DIR), with no other server of this run running: three starts, each
# timed to the first `/readyz` 200.
measure_ready() {
    if [ -n "$READY_DIR" ]; then
        echo "==> the readiness measure runs on the database in $READY_DIR (sqlite)"
        ln -s "$(realpath "$READY_DIR")" "$WORK/ready-sqlite"
    else
        echo "==> seeding $READY_PLEDGES pledges for the readiness measure (sqlite)"
        create_db ready sqlite
        # shellcheck disable=SC2046
        "$BIN" seed-demo --pledges "$READY_PLEDGES" $(db_args ready sqlite)
    fi
    for _ in 1 2 3; do
        start ready sqlite $((PORT + 5))
        stop ready sqlite
    done
}
if [ "$READY_ONLY" = 1 ]; then
    measure_ready
    cat "$WORK/starts"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Databases: the catalogue (PLEDGES), and two approval databases of APPROVAL_PLEDGES pledges,
# "few" (every pledge from 50 organisations) and "many" (5,000 organisations, 200 countries).
APPROVAL_ORGS=$((APPROVAL_PLEDGES / 2 < 5000 ? APPROVAL_PLEDGES / 2 : 5000))
for backend in "${BACKENDS[@]}"; do
    echo "==> seeding $PLEDGES pledges ($backend)"
    create_db catalogue "$backend"
    # shellcheck disable=SC2046
    "$BIN" seed-demo --pledges "$PLEDGES" $(db_args catalogue "$backend")
    # shellcheck disable=SC2046
    printf '%s\n' "$PASSWORD" | "$BIN" create-staff --role moderator --email "$MODERATOR" --name Moderator $(db_args catalogue "$backend")
    echo "==> seeding $APPROVAL_PLEDGES pledges for the approvals ($backend)"
    create_db approvals "$backend"
    # shellcheck disable=SC2046
    "$BIN" seed-demo --pledges "$APPROVAL_PLEDGES" $(db_args approvals "$backend")
    # shellcheck disable=SC2046
    printf '%s\n' "$PASSWORD" | "$BIN" create-staff --role moderator --email "$MODERATOR" --name Moderator $(db_args approvals "$backend")
    for scenario in few many; do
        if [ "$backend" = pg ]; then
            mkdir -p "$WORK/$scenario-pg"
            psql_do -d postgres -c "CREATE DATABASE $scenario TEMPLATE approvals"
        else
            cp -a "$WORK/approvals-sqlite" "$WORK/$scenario-sqlite"
        fi
    done
    [ "$backend" = pg ] && psql_do -d postgres -c "DROP DATABASE approvals"
    rm -rf "$WORK/approvals-$backend"
done

# Approval databases: a pledger submits ROUNDS x APPROVALS pledges in each, which are then handed
# to the demo organisations (50 for "few", all of them for "many") with the server stopped, and
# the counters rebuilt, so the counters hold 50 or 5,000 organisations before the approvals.
port_of() {
    local name=$1 backend=$2 offset=0
    [ "$backend" = pg ] && offset=10
    case $name in catalogue) echo $((PORT + offset)) ;; few) echo $((PORT + offset + 1)) ;; many) echo $((PORT + offset + 2)) ;; esac
}
declare -A TOKENS=() OWNER_EMAIL=()
for backend in "${BACKENDS[@]}"; do
    for scenario in few many; do
        port=$(port_of "$scenario" "$backend")
        start "$scenario" "$backend" "$port"
        setup=$("$DRIVER" setup "http://127.0.0.1:$port" "$WORK/$scenario-$backend" "$PASSWORD" "$MODERATOR")
        TOKENS[$scenario-$backend]=$(json_field "$setup" moderator_token)
        if [ "$scenario" = few ]; then countries=1; orgs=50; else countries=200; orgs=$APPROVAL_ORGS; fi
        echo "==> preparing $((ROUNDS * APPROVALS)) submitted pledges ($scenario, $backend)"
        "$DRIVER" prepare "http://127.0.0.1:$port" "$(json_field "$setup" owner_token)" \
            $((ROUNDS * APPROVALS)) "$countries" "$WORK/$scenario-$backend.pending"
        stop "$scenario" "$backend"
        {
            echo "BEGIN;"
            # Demo organisation n has the id DEMO_ORG n (hexadecimal, see services::demo).
            if [ "$scenario" = few ]; then
                awk -v p="$DEMO_ORG" 'BEGIN { for (n = 50; n < 5000; n++)
                    printf "UPDATE pledges SET organisation_id = '\''%s%012x'\'' WHERE organisation_id = '\''%s%012x'\'';\n", p, n % 50, p, n }'
            fi
            awk -v orgs="$orgs" -v p="$DEMO_ORG" '{printf "UPDATE pledges SET organisation_id = '\''%s%012x'\'' WHERE id = '\''%s'\'';\n", p, (NR - 1) % orgs, $1}' \
                "$WORK/$scenario-$backend.pending"
            echo "COMMIT;"
        } >"$WORK/$scenario-$backend.sql"
        sql "$scenario" "$backend" "$WORK/$scenario-$backend.sql"
        # shellcheck disable=SC2046
        "$BIN" recount $(db_args "$scenario" "$backend") >/dev/null
        split -l "$APPROVALS" -d -a 3 "$WORK/$scenario-$backend.pending" "$WORK/$scenario-$backend.round."
        start "$scenario" "$backend" "$port"
    done
done

# Catalogue servers: readiness, idle memory, a walk through every page (memory after it, the deep
# cursor), and the filters this version knows.
declare -A DEEP_PATH=() PLEDGE_PATH=() FILTERS=() OWNER_TOKEN=()
ALL_FILTERS="sdg=9 track=ldc5 focus_area=access country=NPL type=financial organisation_kind=government ldc=true country=NPL&sdg=9 q=broadband q=zzzzqqq region=Africa pillar=infrastructure beneficiary_group=youth lldc=true sids=true year=2024"
: >"$WORK/skipped"
for backend in "${BACKENDS[@]}"; do
    port=$(port_of catalogue "$backend")
    start catalogue "$backend" "$port"
    sleep 2
    record "$backend 0 rss_idle_mib $(rss_mib "catalogue-$backend")"
    walk=$("$DRIVER" walk "http://127.0.0.1:$port" 25 "$DEEP")
    echo "$walk"
    record "$backend 0 rss_paged_mib $(rss_mib "catalogue-$backend")"
    record "$backend 0 walked $(json_field "$walk" pledges)"
    DEEP_PATH[$backend]=$(json_field "$walk" deep_path)
    id=$(curl -fs "http://127.0.0.1:$port${DEEP_PATH[$backend]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
    PLEDGE_PATH[$backend]="/api/v1/pledges/$id"
    list=""
    for f in $ALL_FILTERS; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/pledges?limit=25&$f")
        if [ "$code" = 200 ]; then list="$list $f"; else echo "$backend $f $code" >>"$WORK/skipped"; fi
    done
    FILTERS[$backend]=$list
    setup=$("$DRIVER" setup "http://127.0.0.1:$port" "$WORK/catalogue-$backend" "$PASSWORD" "$MODERATOR")
    OWNER_TOKEN[$backend]=$(json_field "$setup" owner_token)
    OWNER_EMAIL[$backend]=$(json_field "$setup" email)
done

# ---------------------------------------------------------------------------------------------
# Rounds: every measure of every backend once per round.
for round in $(seq 1 "$ROUNDS"); do
    for backend in "${BACKENDS[@]}"; do
        base="http://127.0.0.1:$(port_of catalogue "$backend")"
        echo "==> round $round, $backend"
        read -r rps p99 <<<"$(wrk_run "$base/livez")"; record "$backend $round livez $rps $p99"
        read -r rps p99 <<<"$(wrk_run "$base${PLEDGE_PATH[$backend]}")"; record "$backend $round pledge $rps $p99"
        # First and deep page in the order first, deep, deep, first: drift in the machine's speed
        # during the round then weighs on both alike (each figure is the mean of its two runs).
        for page in first deep deep first; do
            if [ "$page" = first ]; then path="/api/v1/pledges?limit=25"; else path=${DEEP_PATH[$backend]}; fi
            read -r rps p99 <<<"$(wrk_run "$base$path")"; record "$backend $round $page $rps $p99"
        done
        for f in ${FILTERS[$backend]}; do
            read -r rps p99 <<<"$(wrk_run "$base/api/v1/pledges?limit=25&$f")"; record "$backend $round ?$f $rps $p99"
        done
        # `/stats` beside `/livez` in the order livez, stats, stats, livez: its ratio is taken to
        # these two, not to the `/livez` that opened the round minutes before.
        for m in livez_beside stats stats livez_beside; do
            if [ "$m" = stats ]; then path=/api/v1/stats; else path=/livez; fi
            read -r rps p99 <<<"$(wrk_run "$base$path")"; record "$backend $round $m $rps $p99"
        done
        "$DRIVER" storm "$base" "${OWNER_EMAIL[$backend]}" "$PASSWORD" 8 $((DURATION + 2)) >"$WORK/storm.json" &
        storm=$!
        sleep 1
        read -r rps p99 <<<"$(wrk_run "$base/api/v1/stats")"; record "$backend $round stats_storm $rps $p99"
        wait "$storm"; record "$backend $round storm_logins $(tr -d ' ' <"$WORK/storm.json")"
        out=$("$DRIVER" create "$base" "${OWNER_TOKEN[$backend]}" 16 "$DURATION")
        record "$backend $round create $(json_field "$out" per_second) $(json_field "$out" p99_ms) $(json_field "$out" p50_ms) $(json_field "$out" errors)"
        for scenario in few many; do
            out=$("$DRIVER" approve "http://127.0.0.1:$(port_of "$scenario" "$backend")" "${TOKENS[$scenario-$backend]}" 4 \
                "$WORK/$scenario-$backend.round.$(printf %03d $((round - 1)))")
            record "$backend $round approve_$scenario $(json_field "$out" per_second) $(json_field "$out" p99_ms) $(json_field "$out" p50_ms) $(json_field "$out" errors)"
        done
    done
done
for backend in "${BACKENDS[@]}"; do
    record "$backend 0 rss_end_mib $(rss_mib "catalogue-$backend")"
done

# Readiness on a large embedded database, with every other server stopped (see `measure_ready`).
if [ "$READY_PLEDGES" -gt 0 ]; then
    for backend in "${BACKENDS[@]}"; do
        for name in catalogue few many; do
            [ -n "${PIDS[$name-$backend]:-}" ] && stop "$name" "$backend"
        done
    done
    measure_ready
fi
ELAPSED=$(($(date +%s) - STARTED_AT))

# ---------------------------------------------------------------------------------------------
python3 - "$RESULTS" "$WORK/starts" "$WORK/skipped" "$PLEDGES" "$APPROVAL_PLEDGES" "$APPROVAL_ORGS" "$READY_PLEDGES" \
    "$DEEP" "$COMMAND" "${SETTINGS[*]}" "$ELAPSED" "${BACKENDS[*]}" "$ALL_FILTERS" <<'PY'
import datetime, json, re, statistics, subprocess, sys
(results, starts, skipped, pledges, approval_pledges, approval_orgs, ready_pledges, deep, command,
 settings, elapsed, backends, all_filters) = sys.argv[1:]
pledges, deep, ready_pledges = int(pledges), int(deep), int(ready_pledges)
backends = backends.split()
rows = [l.split() for l in open(results) if l.strip()]
ready, ready_big = {}, []
for l in open(starts):
    b, name, _, secs = l.split()
    if name == "catalogue":
        ready.setdefault(b, []).append(float(secs))
    elif name == "ready":
        ready_big.append(float(secs))
skips = {}
for l in open(skipped):
    b, f, code = l.split()
    skips.setdefault(b, {})[f] = code

def vals(b, m, col=3):
    return [float(r[col]) for r in rows if r[0] == b and r[2] == m and len(r) > col]
def med(b, m, col=3):
    v = vals(b, m, col)
    return statistics.median(v) if v else None
def ratio(b, m, base="livez", col=3):
    """Median over rounds of measure / base in the same round (a measure run twice in a round
    counts as the mean of its runs)."""
    per = []
    for rnd in {r[1] for r in rows if r[0] == b and r[2] == m}:
        num = [float(r[col]) for r in rows if r[0] == b and r[1] == rnd and r[2] == m]
        den = [float(r[col]) for r in rows if r[0] == b and r[1] == rnd and r[2] == base]
        if num and den and statistics.mean(den):
            per.append(statistics.mean(num) / statistics.mean(den))
    return statistics.median(per) if per else None

def fmt(v, unit=""):
    if v is None: return "n/a"
    if unit == "rps": return f"{v:,.0f} req/s"
    if unit == "ms": return f"{v:,.1f} ms"
    return f"{v:,.3g}" if v < 10 else f"{v:,.0f}"
def yes(c):
    return "n/a" if c is None else ("yes" if c else "**no**")
def met(checks):
    if all(c is None for c in checks):
        return ""
    parts = []
    for b, c in zip(backends, checks):
        parts.append(("SQLite " if b == "sqlite" else "PG ") + yes(c))
    return " · ".join(parts)

table = []
def row(measure, cells, target, checks):
    # cells: per backend (value, ratio) strings
    by = dict(zip(backends, cells))
    s = by.get("sqlite", ("n/a", ""))
    p = by.get("pg", ("not run", ""))
    table.append(f"| {measure} | {s[0]} | {s[1]} | {p[0]} | {p[1]} | {target} | {met(checks)} |")

row("`GET /livez`", [(fmt(med(b, "livez"), "rps"), "1") for b in backends], "", [None] * len(backends))
def read_row(measure, m, target, threshold, base="livez"):
    cells, checks = [], []
    for b in backends:
        r = ratio(b, m, base=base)
        cells.append((f"{fmt(med(b, m), 'rps')}, p99 {fmt(med(b, m, 4), 'ms')}" if med(b, m) is not None else "n/a", fmt(r) if r is not None else ""))
        checks.append(None if r is None or threshold is None else r >= threshold)
    row(measure, cells, target, checks)
read_row("`GET /api/v1/pledges/{id}` (published, anonymous)", "pledge", "≥ 0.5×", 0.5)
read_row("`GET /api/v1/pledges?limit=25` (first page)", "first", "≥ 0.2×", 0.2)
read_row(f"same, {deep:,} pledges deep (cursor)", "deep", "", None)
cells, checks = [], []
for b in backends:
    r = ratio(b, "deep", base="first")  # throughput deep / first: its inverse is the cost ratio
    cells.append(("", fmt(1 / r) if r else ""))
    checks.append(None if not r else 1 / r <= 1.1)
row("deep page cost ÷ first page cost", cells, "≤ 1.1×", checks)
for f in all_filters.split():
    m = "?" + f
    if all(skips.get(b, {}).get(f) for b in backends):
        row(f"`?{f}`", [(f"n/a (answers {skips[b][f]})", "") for b in backends], "≥ 0.05×", [None] * len(backends))
        continue
    read_row(f"`?{f}`", m, "≥ 0.05×", 0.05)
read_row("`GET /api/v1/stats` (ratio to the `/livez` runs beside it)", "stats", "≥ 0.9×", 0.9, base="livez_beside")

def write_row(measure, m, rate_min, p99_max):
    cells, checks = [], []
    for b in backends:
        rate, p99, p50 = med(b, m), med(b, m, 4), med(b, m, 5)
        errs = sum(vals(b, m, 6))
        cells.append((f"{fmt(rate)}/s, p50 {fmt(p50, 'ms')}, p99 {fmt(p99, 'ms')}" + (f", {errs:.0f} errors" if errs else ""), ""))
        checks.append(None if rate is None else (rate >= rate_min and p99 < p99_max and not errs))
    row(measure, cells, f"≥ {rate_min:,}/s, p99 < {p99_max} ms", checks)
write_row("pledge creations (16 clients, one account)", "create", 1000, 100)
write_row(f"approvals (4 clients), pledges of 50 organisations", "approve_few", 300, 100)
write_row(f"approvals (4 clients), pledges of {int(approval_orgs):,} organisations, 200 countries", "approve_many", 300, 100)
cells, checks = [], []
for b in backends:
    r = ratio(b, "approve_many", base="approve_few")
    cells.append(("", fmt(r) if r is not None else ""))
    checks.append(None if r is None else r >= 0.8)
row(f"approval rate, {int(approval_orgs):,} ÷ 50 organisations", cells, "≥ 0.8×", checks)
cells, checks = [], []
for b in backends:
    r = ratio(b, "stats_storm", base="stats", col=4)
    cells.append((f"p99 {fmt(med(b, 'stats', 4), 'ms')} → {fmt(med(b, 'stats_storm', 4), 'ms')}", fmt(r) if r is not None else ""))
    checks.append(None if r is None else r <= 3)
row("`/stats` p99 during a login storm (8 clients) ÷ without", cells, "≤ 3×", checks)
def single(measure, m, unit, target, check):
    cells, checks = [], []
    for b in backends:
        v = med(b, m)
        cells.append((f"{v:,.1f} {unit}" if v is not None else "n/a", ""))
        checks.append(None if v is None else check(v))
    row(measure, cells, target, checks)
single("resident memory, idle after start", "rss_idle_mib", "MiB", "< 25 MiB", lambda v: v < 25)
single(f"resident memory after paging through all {pledges:,} pledges", "rss_paged_mib", "MiB", "< 120 MiB", lambda v: v < 120)
single("resident memory at the end of the run", "rss_end_mib", "MiB", "", lambda v: None)
cells, checks = [], []
for b in backends:
    v = statistics.median(ready[b]) if b in ready else None
    cells.append((f"{v:.2f} s" if v is not None else "n/a", ""))
    checks.append(None if v is None else v < 0.5)
row(f"start to `/readyz` 200 ({pledges:,} pledges)", cells, "", [None] * len(backends))
if ready_big:
    v = statistics.median(ready_big)
    cells = [(f"{v:.2f} s (median of {len(ready_big)} starts)", "")] + [("n/a", "")] * (len(backends) - 1)
    row(f"start to `/readyz` 200 ({ready_pledges:,} pledges)", cells, "< 0.5 s",
        [v < 0.5] + [None] * (len(backends) - 1))

cpu = "unknown"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip(); break
nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
storms = []
for r in rows:
    if r[2] == "storm_logins":
        answers = json.loads(" ".join(r[3:]))["logins"]
        storms.append(f"{r[0]} round {r[1]}: " + ", ".join(f"{n} × {code}" for code, n in answers.items()))
section = f"""## Catalogue and writes at {pledges:,} pledges

Produced by `bench/catalogue.sh` on {datetime.date.today()}: {nproc} cores, {cpu}; the machine was
shared with other builds at the time, so absolute figures are noisy and the ratios, measured side by
side, are what counts. The whole run took {int(elapsed) // 60} min {int(elapsed) % 60} s.

Command: `{command}`

- Servers: the release binary, one per database, each on its default pool and worker settings, with
  limits raised so that they do not shape the figures and background jobs off:
  `{settings}`.
- Backends: the embedded SQLite default{", and PostgreSQL (a throwaway cluster started by the script, default settings but `max_connections=200`)" if "pg" in backends else " (PostgreSQL server binaries were not found: not run)"}.
- Reads: `wrk -t2 -c32 --timeout 10s --latency` for the DURATION on the catalogue server (`seed-demo --pledges {pledges}`),
  each figure the median over ROUNDS of its ratio to `GET /livez` on the same server in the same round;
  every measure of every backend runs once per round, round-robin, except the first and the deep
  page, which run twice, in the order first, deep, deep, first, and count as the mean of their two
  runs, and `/stats`, which runs twice between two runs of `/livez` (livez, stats, stats, livez)
  and is divided by those two, so that the machine's drift over the round does not weigh on it. The pledge read is a published
  pledge read anonymously; the deep page is the cursor URL reached by following `next_cursor` from the
  first page of 25 for {deep:,} pledges. Filters answering 400 on this version are marked n/a.
- Writes: creations from 16 clients of one account (a verified pledger, a verified organisation) with
  the JSON body of the tests for DURATION; approvals from 4 concurrent clients of one moderator with
  `If-Match`, over pledges submitted beforehand, in two databases seeded with `seed-demo --pledges
  {approval_pledges}` in which the pledges (demo and submitted) belong to 50 organisations, or to
  {int(approval_orgs):,} organisations with the submitted ones targeting 200 countries (handed over in SQL with the
  server stopped, then `pledgeboard recount`); the same number of approvals in both per round.
- Login storm: 8 clients logging in non-stop with the right password while `wrk` measures `/stats`;
  the p99 is compared with the `/stats` run just before it. Answers to the storm's logins: {"; ".join(storms)}.
- Memory: VmRSS of the catalogue server 2 s after it became ready, after the walk through every page,
  and at the end. Readiness: from launching the process to the first `/readyz` 200 (polled every 10 ms),
  on the {pledges:,}-pledge catalogue at each start, and (when READY_PLEDGES is not 0) on an embedded
  database of {ready_pledges:,} pledges seeded for it (with READY_DIR, beforehand by `seed-demo`), with every
  other server stopped, over three starts.
- "met" gives the verdict per backend; the targets are those of issue 13.

| measure | SQLite | ratio | PostgreSQL | ratio | target | met |
| --- | --- | --- | --- | --- | --- | --- |
""" + "\n".join(table) + "\n\nRaw figures (backend, round, measure, req/s or rate, p99 ms, p50 ms, errors):\n\n```\n" + \
    "".join(" ".join(r) + "\n" for r in rows) + "```\n"

try:
    text = open("BENCHMARKS.md").read()
except FileNotFoundError:
    text = "# Benchmarks\n"
pattern = re.compile(r"^## Catalogue and writes at .*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda _: section + "\n", text, count=1).rstrip("\n") + "\n"
else:
    text = text.rstrip("\n") + "\n\n" + section
open("BENCHMARKS.md", "w").write(text)
print(section)
PY
