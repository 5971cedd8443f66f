#!/usr/bin/env bash
# Browser tests: a fresh database, the built binary serving it, Playwright driving
# Debian's Chromium against it. Everything it creates is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/dibao
ADMIN_URL=${TEST_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }
[ -x "$BIN" ] || die "bin/dibao is missing; run make build"
# Run a private copy, so a build during the run cannot swap the binary under it.
tmpdir=$(mktemp -d)
cp "$BIN" "$tmpdir/dibao"
BIN=$tmpdir/dibao
[ -x "$CHROMIUM" ] || die "Chromium is not installed at $CHROMIUM (apt-get install chromium; .ci/run does this)"
[ -d frontend/node_modules/@playwright/test ] || die "frontend packages are missing; run npm ci in frontend/"

hostport=$(printf '%s' "$ADMIN_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#')
name=dibao_e2e_$$_$RANDOM
export DATABASE_ADMIN_URL=$ADMIN_URL
export DATABASE_OWNER_URL="postgres://dibao_owner@$hostport/$name?sslmode=disable"
export DATABASE_URL="postgres://dibao_app@$hostport/$name?sslmode=disable"
export REDIS_URL=$REDIS REDIS_PREFIX="dibaoe2e:$name:"
export PORT=${E2E_PORT:-$((20000 + RANDOM % 20000))}
export LOG_LEVEL=warn
export DIBAO_FILES_DIR=$tmpdir/files  # attachments uploaded by the tests go with the copy

server_pid=
cleanup() {
  rm -rf "$tmpdir"
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS" --scan --pattern "dibaoe2e:$name:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS" del >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$BIN" db bootstrap >/dev/null 2>&1 || { "$BIN" db bootstrap; die "cannot create the test database (is PostgreSQL running?)"; }
"$BIN" migrate up >/dev/null 2>&1 || { "$BIN" migrate up; die "migrations failed"; }
"$BIN" seed demo >/dev/null 2>&1 || { "$BIN" seed demo; die "demo data failed"; }

mkdir -p frontend/test-results
"$BIN" serve >frontend/test-results/server.log 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat frontend/test-results/server.log; die "the server exited"; }
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { cat frontend/test-results/server.log; die "the server did not become ready"; }

cd frontend
BASE_URL="http://127.0.0.1:$PORT" npx playwright test "$@"
