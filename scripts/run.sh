#!/usr/bin/env bash
# Brings Dibao up on a developer's machine: resolves PostgreSQL and Redis as DESIGN.md 5
# says, prepares the database, loads the demo data once and serves.
#   PostgreSQL: DATABASE_URL (+ DATABASE_OWNER_URL) if set, else a server on 127.0.0.1:5432,
#               else a private cluster under ./var/pg started from the machine's binaries.
#   Redis:      REDIS_URL if set, else 127.0.0.1:6379, else embedded (decided by the server).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/bin/dibao
PORT=${PORT:-8080}
LOCAL_PG_PORT=${LOCAL_PG_PORT:-5432}
PRIVATE_PG_PORT=${PRIVATE_PG_PORT:-55432}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

pg_bin_dir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

# quiet runs a dibao command and shows its log only when it fails.
quiet() {
  local out
  if ! out=$("$BIN" "$@" 2>&1); then
    printf '%s\n' "$out" >&2
    return 1
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_private_cluster() {
  local bindir data=$ROOT/var/pg/data run=$ROOT/var/pg/run log=$ROOT/var/pg/postgres.log
  bindir=$(pg_bin_dir) || die "no PostgreSQL server answers on 127.0.0.1:$LOCAL_PG_PORT and no PostgreSQL binaries were found.
Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@16),
or set DATABASE_URL and DATABASE_OWNER_URL to an existing server."
  mkdir -p "$ROOT/var/pg" "$run"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    # initdb and postgres refuse to run as root: use the postgres system user.
    id postgres >/dev/null 2>&1 || die "running as root and there is no 'postgres' user to run the private cluster as"
    chown -R postgres "$ROOT/var/pg"
    as=(runuser -u postgres --)
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    say "Creating a private PostgreSQL cluster in var/pg (from $bindir)"
    "${as[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! port_open "$PRIVATE_PG_PORT"; then
    say "Starting the private PostgreSQL on 127.0.0.1:$PRIVATE_PG_PORT"
    "${as[@]}" "$bindir/pg_ctl" -D "$data" -l "$log" -w -o "-p $PRIVATE_PG_PORT -k $run -h 127.0.0.1" start >/dev/null
  fi
  PG_HOSTPORT=127.0.0.1:$PRIVATE_PG_PORT
}

[ -x "$BIN" ] || die "bin/dibao is missing; run 'make build' (make run does this for you)"

if [ -n "${DATABASE_URL:-}" ]; then
  [ -n "${DATABASE_OWNER_URL:-}" ] || die "DATABASE_URL is set but DATABASE_OWNER_URL is not; migrations need the owner role"
  say "Using PostgreSQL from DATABASE_URL"
else
  if port_open "$LOCAL_PG_PORT"; then
    PG_HOSTPORT=127.0.0.1:$LOCAL_PG_PORT
    say "Using the PostgreSQL server on $PG_HOSTPORT"
  else
    start_private_cluster
  fi
  export DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://postgres@$PG_HOSTPORT/postgres?sslmode=disable}
  export DATABASE_URL=postgres://dibao_app@$PG_HOSTPORT/dibao?sslmode=disable
  export DATABASE_OWNER_URL=postgres://dibao_owner@$PG_HOSTPORT/dibao?sslmode=disable
  quiet db bootstrap || die "could not create the database roles as $DATABASE_ADMIN_URL
Set DATABASE_ADMIN_URL to a superuser connection (for example postgres://postgres@127.0.0.1:5432/postgres)."
fi

say "Migrating"
quiet migrate up || die "migrations failed (see above)"
say "Loading demo data (once; later runs change nothing)"
quiet seed demo || die "loading demo data failed (see above)"

cat <<TXT

  Dibao is starting on http://localhost:$PORT

  Demo accounts (password for all: Dibao@2026)
    platform       平台管理员 (platform_admin)
    ax.admin       安吉县 county_admin          ax.approver    安吉县 county_approver
    ax.leader      梅溪镇 township_leader       ax.clerk       梅溪镇 township_caseworker
    ax.finance     安吉县 finance_officer       ax.village     梅溪村 village_worker
    ax.inspector   安吉县 inspector             cx.clerk       长兴县煤山镇 township_caseworker
    ax.security    安吉县 security_admin        ax.auditor     安吉县 audit_admin

  Stop with Ctrl-C.

TXT
export PORT
exec "$BIN" serve
