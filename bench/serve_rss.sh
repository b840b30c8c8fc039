#!/usr/bin/env bash
# Resident memory of a running `frontdesk serve` on the stores that the store_scale benchmark
# builds (1,000 and 1,000,000 requests with a pending reminder each): right after start-up,
# and after a /metrics scrape, which counts the open requests of every department. Each store
# is started twice: the first start replays the log the benchmark left behind; the second is
# a restart after a clean shutdown.
#
#   cargo bench --bench store_scale     # builds target/bench-stores/ (a few minutes once)
#   bash bench/serve_rss.sh             # FRONTDESK_BENCH_SIZES=1000,1000000 by default
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
sizes=${FRONTDESK_BENCH_SIZES:-1000,1000000}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
rss() { awk '/^VmRSS:/ { printf "%d MiB", $2 / 1024 }' "/proc/$1/status"; }
for size in ${sizes//,/ }; do
    store="target/bench-stores/$size"
    [ -f "$store/POPULATED" ] || { echo "no $store: run cargo bench --bench store_scale first" >&2; exit 1; }
    rm -rf "$work/data" && cp -r "$store" "$work/data"
    for start in first restart; do
        started=$(date +%s%N)
        FRONTDESK_DATA_DIR="$work/data" FRONTDESK_LISTEN=127.0.0.1:0 ./target/release/frontdesk serve \
            >"$work/log" 2>&1 &
        pid=$!
        until grep -q "listening on" "$work/log"; do
            kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
            sleep 0.01
        done
        ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
        url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/log" | head -1)
        at_start=$(rss "$pid")
        curl -sf "$url/metrics" >/dev/null
        after_scrape=$(rss "$pid")
        pending=$(curl -sf "$url/metrics" | awk '/^frontdesk_reminders_pending/ { print $2 }')
        printf '%9s requests, %s reminders pending, %-7s: listening after %4d ms | RSS %s at start, %s after a /metrics scrape\n' \
            "$size" "$pending" "$start" "$ready_ms" "$at_start" "$after_scrape"
        kill -TERM "$pid" && wait "$pid" || true
        pid=
    done
done
