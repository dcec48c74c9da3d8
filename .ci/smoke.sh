#!/usr/bin/env bash
# Starts the built gateway as an operator would and checks what a newcomer sees: /health, the Admin API with the
# generated token, the demo key printed once and stored nowhere in clear, a clean SIGTERM; then two instances
# started together on one empty PostgreSQL database, and an invalid configuration refused with exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_health() { # url, seconds
  for _ in $(seq 1 $(( $2 * 5 ))); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1/health")" = 200 ] && return 0
    sleep 0.2
  done
  echo "no healthy answer from $1 within $2 s" >&2; return 1
}
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "-- embedded store on an empty DATA_DIR"
port=$(free_port)
started=$(date +%s%N)
PORT=$port DATA_DIR="$work/data" node dist/src/main.js >"$work/out.log" 2>&1 &
pid=$!
wait_health "http://127.0.0.1:$port" 90
echo "cold start to healthy: $(( ($(date +%s%N) - started) / 1000000 )) ms"
token=$(cat "$work/data/admin-token")
[ "$(stat -c %a "$work/data/admin-token")" = 600 ] || fail "admin-token is not mode 600"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/admin/accounts/demo" | grep -q '"slug":"demo"' || fail "demo account missing"
key=$(grep -o 'psk_[0-9A-Za-z]\{40\}' "$work/out.log" | head -n1)
[ -n "$key" ] || fail "no demo key printed"
[ "$(grep -c "$key" "$work/out.log")" = 1 ] || fail "the demo key was printed more than once"
grep -q "$token" "$work/out.log" || fail "the generated admin token was not printed"
grep -q '"level"' "$work/out.log" || fail "no JSON log lines"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/admin/accounts/demo/users/demo-admin/keys" | grep -q '"name":"demo"' || fail "demo key not listed"
curl -sf -u "$key:$key" "http://127.0.0.1:$port/xml/" -d '<request method="task.getList"><account>demo</account></request>' | grep -q '<tasks totalCount="3" count="3">' || fail "Planfix task.getList of the demo account"
find=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port/api/projects/find" -d '{"namespace":"demo","hostName":"riverside-tower"}')
[ "$(tail -n1 <<<"$find")" = 201 ] || fail "Planpoint public find of the demo project"
grep -q '"unitNumber":"101"' <<<"$find" || fail "the demo Planpoint project has no units"
curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/projects/mine" | grep -q '"hostName":"riverside-tower"' || fail "Planpoint projects/mine of the demo account"
kill -TERM $pid
wait $pid || fail "SIGTERM did not exit 0"
if grep -rqa "$key" "$work/data"; then fail "the demo key is stored in clear under DATA_DIR"; fi

echo "-- warm start on the same DATA_DIR"
started=$(date +%s%N)
PORT=$port DATA_DIR="$work/data" node dist/src/main.js >"$work/out2.log" 2>&1 &
pid=$!
wait_health "http://127.0.0.1:$port" 60
echo "warm start to healthy: $(( ($(date +%s%N) - started) / 1000000 )) ms"
grep -q 'psk_' "$work/out2.log" && fail "a key was printed again on a warm start"
kill -TERM $pid; wait $pid || fail "SIGTERM did not exit 0"

echo "-- invalid configuration"
set +e
PORT=notaport DATA_DIR="$work/bad" node dist/src/main.js >"$work/bad.log" 2>&1; code=$?
set -e
[ $code = 1 ] || fail "invalid PORT exited $code, not 1"
grep -q 'PORT' "$work/bad.log" || fail "invalid PORT message does not name PORT"
set +e
DATABASE_URL='nope' DATA_DIR="$work/bad" node dist/src/main.js >"$work/bad.log" 2>&1; code=$?
set -e
[ $code = 1 ] || fail "invalid DATABASE_URL exited $code, not 1"
grep -q 'DATABASE_URL' "$work/bad.log" || fail "invalid DATABASE_URL message does not name it"

echo "-- two instances started together on one empty PostgreSQL database"
db="plangate_smoke_$$"
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE $db"
url="postgresql://postgres@127.0.0.1:5432/$db"
p1=$(free_port); p2=$(free_port)
PORT=$p1 DATA_DIR="$work/i1" DATABASE_URL=$url node dist/src/main.js >"$work/i1.log" 2>&1 &
a=$!
PORT=$p2 DATA_DIR="$work/i2" DATABASE_URL=$url node dist/src/main.js >"$work/i2.log" 2>&1 &
b=$!
wait_health "http://127.0.0.1:$p1" 60 || { cat "$work/i1.log"; fail "instance 1"; }
wait_health "http://127.0.0.1:$p2" 60 || { cat "$work/i2.log"; fail "instance 2"; }
migrations=$(psql -h 127.0.0.1 -U postgres -d "$db" -tAc "SELECT count(*) FROM schema_migrations")
echo "both instances healthy; schema_migrations rows: $migrations"
kill -TERM $a $b; wait $a || fail "instance 1 exit"; wait $b || fail "instance 2 exit"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE $db WITH (FORCE)"
echo "smoke: all checks passed"
