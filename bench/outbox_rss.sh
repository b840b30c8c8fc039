#!/usr/bin/env bash
# Resident memory of a running `frontdesk serve` whose outbox holds a backlog: the store that
# the store_scale benchmark's last section builds (100,000 waiting messages by default: request
# cards for 50,000 requests and DMs about no request to 10,000 people, all falling due in 2100).
# No platform is configured, so nothing is due and the outbox just waits. Each run copies the
# store and starts the server on it three times: first (it replays the log the benchmark left
# behind), a restart after a clean stop (SIGTERM), and a start after a kill -9 of that
# restart. Each start reports how long it took to listen, the RSS when it listens, a few
# seconds later (FRONTDESK_BENCH_SETTLE, 2 by default: the outbox worker has looked at the
# queue by then) and after a /metrics scrape (the outbox depth is a stored count); and the outbox depth
# and dead letters that scrape shows.
#
#   FRONTDESK_BENCH_SIZES= cargo bench --bench store_scale   # builds target/bench-stores/outbox-100000
#   bash bench/outbox_rss.sh                                 # FRONTDESK_BENCH_OUTBOX_RSS=100000, 2 runs
#
# FRONTDESK_BENCH_RUNS sets the number of runs. The binary is ${CARGO_TARGET_DIR:-target}/release.
#
# Once anything is written after sled recovered the store (at start the outbox worker marks a
# delivery session; otherwise the first request or delivery does it), sled's background work
# reads the store into its cache over the next minute or so: FRONTDESK_BENCH_SETTLE=90 shows
# where the RSS levels off.
#
# To compare with an older commit, measure it in a worktree of its own with this script and
# benches/store_scale.rs copied in (uncommitted there), e.g.
#
#   git worktree add /tmp/fd-old <commit> && cp benches/store_scale.rs /tmp/fd-old/benches/ \
#       && cp bench/outbox_rss.sh /tmp/fd-old/bench/ && cd /tmp/fd-old
#   export CARGO_TARGET_DIR=/tmp/fd-old/target
#   FRONTDESK_BENCH_SIZES= cargo bench --bench store_scale && bash bench/outbox_rss.sh
#   cd - && git worktree remove --force /tmp/fd-old
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/frontdesk
backlog=${FRONTDESK_BENCH_OUTBOX_RSS:-100000}
runs=${FRONTDESK_BENCH_RUNS:-2}
settle=${FRONTDESK_BENCH_SETTLE:-2}
store="target/bench-stores/outbox-$backlog"
[ -f "$store/POPULATED" ] || {
    echo "no $store: run FRONTDESK_BENCH_SIZES= cargo bench --bench store_scale first" >&2
    exit 1
}
work=$(mktemp -d)
trap 'kill -9 "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
rss() { awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status"; }
metric() { awk -v m="$1" '$1 == m { print $2 }' "$work/metrics"; }
echo "frontdesk serve with $backlog messages waiting in the outbox ($(git log -1 --format=%h)):"
for run in $(seq 1 "$runs"); do
    rm -rf "$work/data" && cp -r "$store" "$work/data"
    for start in first restart after-kill-9; do
        started=$(date +%s%N)
        FRONTDESK_DATA_DIR="$work/data" FRONTDESK_LISTEN=127.0.0.1:0 "$bin" serve >"$work/log" 2>&1 &
        pid=$!
        until grep -q "listening on" "$work/log"; do
            kill -0 "$pid" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
            sleep 0.01
        done
        ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
        url=$(grep -o "http://127.0.0.1:[0-9]*" "$work/log" | head -1)
        at_listen=$(rss "$pid")
        sleep "$settle"
        settled=$(rss "$pid")
        curl -sf "$url/metrics" >"$work/metrics"
        after_scrape=$(rss "$pid")
        printf 'run %d %-12s: listening after %4d ms | RSS %s listening, %s %s s later, %s after a /metrics scrape | outbox depth %s, dead letters %s\n' \
            "$run" "$start" "$ready_ms" "$at_listen" "$settled" "$settle" "$after_scrape" \
            "$(metric frontdesk_outbox_depth)" "$(metric frontdesk_outbox_dead_letters)"
        if [ "$start" = restart ]; then
            kill -9 "$pid" && { wait "$pid" 2>/dev/null || true; }
        else
            kill -TERM "$pid" && { wait "$pid" || true; }
        fi
        pid=
    done
done
