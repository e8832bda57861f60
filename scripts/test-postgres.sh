#!/usr/bin/env bash
# Starts (or reuses) a throw-away PostgreSQL server for the test suite on 127.0.0.1 and prints its
# URL. Data lives under /var/tmp/academy-test-postgres-<uid> (PostgreSQL, run as its own user, must
# be able to reach it; root's home is private); stop it with `stop`. PostgreSQL refuses to run as root,
# so as root the server runs as the `postgres` system user.
set -euo pipefail

PORT="${ACADEMY_TEST_PG_PORT:-55432}"
BASE="${ACADEMY_TEST_PG_DIR:-/var/tmp/academy-test-postgres-$(id -u)}"
DATA="$BASE/data"

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$candidate" ] && { echo "$candidate"; return; }
  echo "PostgreSQL's $name was not found. Install PostgreSQL (Debian: apt-get install postgresql)," \
    "or set ACADEMY_TEST_DATABASE_URL to a server where the test user may create databases." >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$BASE" --shell /usr/sbin/nologin postgres
    chown -R postgres "$BASE"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
mkdir -p "$BASE"
chmod 755 "$BASE"

case "${1:-start}" in
  start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
      echo "test-postgres: creating a cluster in $DATA" >&2
      as_owner "$INITDB" --pgdata="$DATA" --username=academy --auth=trust --encoding=UTF8 --no-instructions >/dev/null
    fi
    if ! as_owner "$PG_CTL" --pgdata="$DATA" status >/dev/null 2>&1; then
      as_owner "$PG_CTL" --pgdata="$DATA" --log="$BASE/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $BASE -c fsync=off -c max_connections=200" start >/dev/null \
        || { echo "test-postgres: the server did not start; last log lines:" >&2; tail -n 20 "$BASE/server.log" >&2; exit 1; }
    fi
    echo "postgres://academy@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$PG_CTL" --pgdata="$DATA" --mode=fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: test-postgres.sh [start|stop]" >&2
    exit 2
    ;;
esac
