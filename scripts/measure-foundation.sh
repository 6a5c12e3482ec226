#!/usr/bin/env bash
# Prints the figures of the foundation's closing note: size of the `make build`
# binary, start-up time to "balcao ready" (empty data folder, demo database) and
# resident memory after 2 s idle. Linux only (reads /proc). Nothing is asserted.
#
#   scripts/measure-foundation.sh
set -euo pipefail
cd "$(dirname "$0")/.."

make -s build
bin=$PWD/bin/balcao
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# start LOG ARGS...: runs balcao on a free port with no BALCAO_* from this shell
# and waits for its "balcao ready" line; sets pid.
start() {
  local log=$1; shift
  env -i PATH="$PATH" HOME="$HOME" TMPDIR="$work" "$bin" "$@" --addr 127.0.0.1:0 >/dev/null 2>"$log" &
  pid=$!
  for _ in $(seq 300); do
    grep -q 'msg="balcao ready"' "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "balcao did not become ready:" >&2; cat "$log" >&2; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }
startup() { sed -n 's/.*msg="balcao ready".* startup=\([^ ]*\).*/\1/p' "$1"; }
rss() { sleep 2; awk '/^VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status"; }

size=$(stat -c %s "$bin")

start "$work/empty.log" serve --data "$work/empty"
empty_startup=$(startup "$work/empty.log"); empty_rss=$(rss); stop

start "$work/seed.log" demo --data "$work/demo"
seed_startup=$(startup "$work/seed.log"); stop

start "$work/demo.log" serve --data "$work/demo"
demo_startup=$(startup "$work/demo.log"); demo_rss=$(rss); stop

awk -v s="$size" 'BEGIN { printf "binary size (make build: CGO_ENABLED=0, -trimpath, -s -w): %d bytes (%.1f MiB)\n", s, s/1048576 }'
printf 'start-up to "balcao ready", empty data folder (creates and migrates both databases): %s\n' "$empty_startup"
printf 'start-up to "balcao ready", balcao demo on a new folder (migrations + demo data): %s\n' "$seed_startup"
printf 'start-up to "balcao ready", balcao serve on the demo database: %s\n' "$demo_startup"
printf 'idle RSS after 2 s: %s (empty data folder), %s (demo database)\n' "$empty_rss" "$demo_rss"
