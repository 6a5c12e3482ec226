#!/usr/bin/env bash
# Prints the figures of issue 7's closing note: `balcao demo` with continuous
# backup to a folder (default 1 s interval) takes signed webhook traffic; the
# lag `balcao backup status` reports is sampled meanwhile; then the server is
# stopped (final sync), the backup restored with `balcao restore` into a fresh
# folder, and row counts and PRAGMA integrity_check compared. Nothing is
# asserted but the exit status of the commands. Linux; needs curl, openssl,
# python3 and sqlite3.
#
#   scripts/measure-backup.sh [messages]   (default 1500)
set -euo pipefail
cd "$(dirname "$0")/.."

messages=${1:-1500}
make -s build
bin=$PWD/bin/balcao
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
backup=file://$work/backup
secret=simulador-app-secret # the demo's simulator signs with this; not a secret

env -i PATH="$PATH" HOME="$HOME" TMPDIR="$work" BALCAO_BACKUP_URL="$backup" \
  "$bin" demo --data "$work/demo" --addr "127.0.0.1:$port" --base-url "$base" >/dev/null 2>"$work/demo.log" &
pid=$!
for _ in $(seq 300); do
  grep -q 'msg="balcao ready"' "$work/demo.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
  sleep 0.1
done

# post N: one signed text webhook from one of 300 citizens.
post() {
  local n=$1 from body sig
  from=$(printf '55179%08d' $((n % 300)))
  body=$(printf '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5517999990000","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Cidadão %d"},"wa_id":"%s"}],"messages":[{"from":"%s","id":"wamid.MEASURE.%d","timestamp":"%d","type":"text","text":{"body":"Mensagem %d: quero a segunda via da conta de água"}}]}}]}]}' \
    $((n % 300)) "$from" "$from" "$n" "$(date +%s)" "$n")
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$body" "$base/webhook/whatsapp"
}

status() { "$bin" backup status --data "$work/demo" --backup-url "$backup" 2>/dev/null || true; }

# Traffic from 4 senders in parallel, while backup status is sampled.
start=$(date +%s.%N)
senders=()
for w in 0 1 2 3; do
  ( for ((i = w; i < messages; i += 4)); do post "$i"; done >"$work/codes.$w" ) &
  senders+=($!)
done
running() { for s in "${senders[@]}"; do kill -0 "$s" 2>/dev/null && return 0; done; return 1; }
samples=0 behind=0 maxlag=0
while running; do
  lag=$(status | awk '/^balcao.db/ {f=1} f && /atraso \/ lag/ {print; exit}')
  samples=$((samples + 1))
  if [[ $lag =~ transactions,\ ([0-9.]+)(ms|s|µs) ]]; then
    behind=$((behind + 1))
    v=${BASH_REMATCH[1]}; u=${BASH_REMATCH[2]}
    case $u in s) v=$(awk -v v="$v" 'BEGIN{print v*1000}') ;; µs) v=0 ;; esac
    maxlag=$(awk -v a="$maxlag" -v b="$v" 'BEGIN{print (b > a) ? b : a}')
  fi
  sleep 0.2
done
wait "${senders[@]}"
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
ok=$(cat "$work"/codes.* | grep -c '^200$' || true)

sleep 2
echo "== balcao backup status, 2 s after the traffic =="
status
kill -TERM "$pid"; wait "$pid" || true; pid=
grep -o 'msg="continuous backup: final sync done"' "$work/demo.log" | head -1

echo; echo "== balcao restore =="
"$bin" restore --from "$backup" --data "$work/restored"

count() { sqlite3 "$1" "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM messages), (SELECT count(*) FROM tickets), (SELECT count(*) FROM webhook_events), (SELECT count(*) FROM outbox)"; }
echo
printf 'traffic: %d of %d webhooks answered 200 in %s s\n' "$ok" "$messages" "$elapsed"
printf 'backup status during the traffic: %d samples, %d with changes waiting for the target, largest wait shown %s ms\n' "$samples" "$behind" "$maxlag"
printf 'rows contacts|messages|tickets|webhook_events|outbox  original: %s  restored: %s\n' "$(count "$work/demo/balcao.db")" "$(count "$work/restored/balcao.db")"
printf 'media.db rows  original: %s  restored: %s\n' "$(sqlite3 "$work/demo/media.db" 'SELECT count(*) FROM media')" "$(sqlite3 "$work/restored/media.db" 'SELECT count(*) FROM media')"
printf 'integrity_check restored: balcao.db %s, media.db %s\n' "$(sqlite3 "$work/restored/balcao.db" 'PRAGMA integrity_check')" "$(sqlite3 "$work/restored/media.db" 'PRAGMA integrity_check')"
