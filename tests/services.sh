#!/usr/bin/env bash
# Starts what the test suite needs on this machine and prints the variables that point to it:
#   PostgreSQL (Debian's cluster, run as user postgres: PostgreSQL's own tools refuse root),
#   Redis (a throwaway server on its own port) and Debian's Chromium for Playwright.
# A developer who is not root exports CMS_TEST_DATABASE_URL and CMS_TEST_REDIS_URL instead.
set -euo pipefail

REDIS_PORT="${CMS_TEST_REDIS_PORT:-6399}"
PG_DB="${CMS_TEST_PG_DB:-cms_test}"

need_packages=()
command -v pg_ctlcluster >/dev/null 2>&1 || need_packages+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_packages+=(redis-server)
[ -x /usr/bin/chromium ] || need_packages+=(chromium)
if [ ${#need_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${need_packages[*]}: install them with apt as root" >&2; exit 1
  fi
  echo "installing ${need_packages[*]} from Debian's packages" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" >&2
fi

if [ -z "${CMS_TEST_DATABASE_URL:-}" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "not root: export CMS_TEST_DATABASE_URL=postgresql://user:pass@host/db for the PostgreSQL run" >&2; exit 1
  fi
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$" || pg_createcluster "$version" main >&2
  pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start >&2
  port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
  psql_as_postgres() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
  for _ in $(seq 1 30); do psql_as_postgres "SELECT 1" >/dev/null 2>&1 && break; sleep 0.5; done
  [ "$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname='cms'")" = 1 ] \
    || psql_as_postgres "CREATE ROLE cms LOGIN PASSWORD 'cms' CREATEDB" >&2
  [ "$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" = 1 ] \
    || psql_as_postgres "CREATE DATABASE $PG_DB OWNER cms" >&2
  echo "CMS_TEST_DATABASE_URL=postgresql+psycopg://cms:cms@127.0.0.1:$port/$PG_DB"
else
  echo "CMS_TEST_DATABASE_URL=$CMS_TEST_DATABASE_URL"
fi

if [ -z "${CMS_TEST_REDIS_URL:-}" ]; then
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "/tmp/cms-test-redis-$REDIS_PORT.pid" --logfile "/tmp/cms-test-redis-$REDIS_PORT.log" >&2
    for _ in $(seq 1 30); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  echo "CMS_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
else
  echo "CMS_TEST_REDIS_URL=$CMS_TEST_REDIS_URL"
fi
