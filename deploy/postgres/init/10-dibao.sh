#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). Creates the roles dibao_owner and dibao_app and the
# database dibao owned by dibao_owner, using deploy/postgres/roles.sql and database.sql,
# which docker-compose.yml mounts at /opt/dibao/postgres.
#
# Environment (set by docker-compose.yml):
#   DIBAO_OWNER_PASSWORD, DIBAO_APP_PASSWORD   passwords of the two roles (required)
#   DIBAO_DB                                    database name (default dibao)
set -euo pipefail

: "${DIBAO_OWNER_PASSWORD:?DIBAO_OWNER_PASSWORD must be set}"
: "${DIBAO_APP_PASSWORD:?DIBAO_APP_PASSWORD must be set}"
sql_dir="${DIBAO_SQL_DIR:-/opt/dibao/postgres}"

psql_super=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres)

"${psql_super[@]}" \
  -v owner_password="$DIBAO_OWNER_PASSWORD" \
  -v app_password="$DIBAO_APP_PASSWORD" \
  -f "$sql_dir/roles.sql"

"${psql_super[@]}" -v dbname="${DIBAO_DB:-dibao}" -f "$sql_dir/database.sql"

echo "dibao: roles dibao_owner, dibao_app and database ${DIBAO_DB:-dibao} are ready"
