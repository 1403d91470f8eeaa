#!/usr/bin/env bash
# A 10,000-row import: the file is generated (200 organisations, every row with its reference),
# imported once as published by an admin, then again (nothing new). Prints the dry run's, the
# commit's and the rerun's durations and the server's peak resident memory (VmHWM).
#
# Meanwhile another client adds a track every 100 ms: its writes' median and longest times
# show how long the import holds other writers up.
#
# Usage: bench/import.sh [path/to/pledgeboard] (default: target/release/pledgeboard); ROWS sets
# the file's size (default 10000).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-target/release/pledgeboard}"
ROWS="${ROWS:-10000}"
PORT="${BENCH_PORT:-18451}"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
SERVER_PID=""
stop() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap stop EXIT

python3 - "$ROWS" >"$WORK/pledges.csv" <<'PY'
import csv, json, sys
rows = int(sys.argv[1])
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["external_ref", "organisation_name", "organisation_kind", "organisation_country",
              "title", "summary", "description", "type", "focus_areas", "sdgs", "tracks",
              "countries", "value_currency", "value_amount_minor", "value_usd", "deliverables",
              "published_at"])
countries = ["NPL", "BGD", "ETH", "RWA", "SEN", "UGA", "GHA", "KEN", "FJI", "HTI"]
deliverables = json.dumps([{"what": "Connect rural schools", "indicator": "Schools connected",
                            "unit": "schools", "target": 100, "due_date": "2027-12-31"}])
for n in range(rows):
    country = countries[n % len(countries)]
    usd = 10_000 * (1 + n % 500)
    out.writerow([f"bench:{n}", f"Organisation {n % 200}", "private_sector", country,
                  f"Connect {n} rural schools in {country}",
                  "Fibre and solar power for rural schools, with teacher training.",
                  "Schools get fibre backhaul, solar power and two years of teacher training.",
                  "financial", "access", "4;9", "ldc5", country, "USD", usd * 100, usd,
                  deliverables, f"2024-03-{1 + n % 28:02d}T10:00:00Z"])
PY

export PLEDGEBOARD_DATA_DIR="$WORK/data" PLEDGEBOARD_BIND="127.0.0.1:$PORT"
export PLEDGEBOARD_LOG_FORMAT=json PLEDGEBOARD_REMINDER_INTERVAL_SECS=0
PASSWORD="quietly orbiting marmalade"
printf '%s\n' "$PASSWORD" | "$BIN" create-staff --role admin --email bench@example.org --name Bench >/dev/null
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
TOKEN="$(curl -fsS "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench@example.org\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"

post() {
    curl -fsS "$BASE/api/v1/imports$1" -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: text/csv' --data-binary @"$WORK/pledges.csv"
}
# Another writer meanwhile: a new track every 100 ms, each write's time in seconds.
writer() {
    local n=0
    while [ -e "$WORK/importing" ]; do
        n=$((n + 1))
        curl -fsS -o /dev/null -w '%{time_total}\n' "$BASE/api/v1/tracks" \
            -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            -d "{\"slug\":\"bench-$1-$n\",\"name\":\"Bench $n\",\"description\":\"A track written during an import.\"}" \
            >>"$WORK/writes-$1"
        sleep 0.1
    done
}
commit() {
    local started id state writing
    started=$(date +%s.%N)
    touch "$WORK/importing"
    writer "$1" &
    writing=$!
    id="$(post '?publish=true' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
    while :; do
        state="$(curl -fsS "$BASE/api/v1/imports/$id" -H "Authorization: Bearer $TOKEN")"
        echo "$state" | grep -q '"status":"running"' || break
        sleep 0.2
    done
    rm -f "$WORK/importing"
    wait "$writing"
    echo "$state" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["status"], "created", s["created"], "skipped", s["skipped"], "errors", s["errors"], end=" ")'
    echo "in $(echo "$(date +%s.%N) - $started" | bc) s"
    sort -n "$WORK/writes-$1" | python3 -c 'import sys; t=[float(l) for l in sys.stdin]; print(f"  another writer meanwhile: {len(t)} writes, median {1000*t[len(t)//2]:.0f} ms, max {1000*t[-1]:.0f} ms")'
}
bytes=$(stat -c %s "$WORK/pledges.csv")
echo "file: $ROWS rows, $bytes bytes"
started=$(date +%s.%N)
post '?dry_run=true&publish=true' | python3 -c 'import json,sys; s=json.load(sys.stdin); print("dry run: created", s["created"], "errors", s["errors"], end=" ")'
echo "in $(echo "$(date +%s.%N) - $started" | bc) s"
printf 'commit: '; commit first
printf 'rerun: '; commit again
echo "stats: $(curl -fsS "$BASE/api/v1/stats?track=ldc5" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["pledges"], "pledges,", s["usd_pledged"], "USD")')"
echo "server peak memory: $(grep VmHWM /proc/$SERVER_PID/status | awk '{print $2, $3}')"
