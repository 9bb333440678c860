#!/usr/bin/env bash
# Installs PostgreSQL from Debian packages if missing, starts a private cluster as the `postgres`
# user, and prints the environment the tests read (POSTGRES_HOSTNAME/PORT/USER/PASSWORD/DB).
#   usage: eval "$(scripts/start-postgres.sh)"     (env PGPORT, PGDATA_DIR to override)
set -euo pipefail
port=${PGPORT:-54329}
data=${PGDATA_DIR:-/var/tmp/arcadia-pg-$port}
user=arcadia
password=arcadia
db=arcadia

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql postgresql-contrib >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

ready() { "$bindir/pg_isready" -h 127.0.0.1 -p "$port" -q; }

if ! ready; then
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    chown postgres:postgres "$data"
    pwfile=$(mktemp)
    echo "$password" >"$pwfile"
    chown postgres "$pwfile"
    as_pg "$bindir/initdb" -D "$data" -U "$user" --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=trust \
      --locale=C -E UTF8 >&2
    rm -f "$pwfile"
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
max_connections = 300
unix_socket_directories = '/tmp'
CONF
  fi
  # A server that was killed (for example when the previous session ended) leaves its pid file
  # behind, and pg_ctl would take it for a running server: remove it unless a live postgres owns it.
  if [ -f "$data/postmaster.pid" ]; then
    pid=$(head -n 1 "$data/postmaster.pid")
    state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
    if [ -z "$state" ] || [ "${state#Z}" != "$state" ]; then
      rm -f "$data/postmaster.pid"
    fi
  fi
  as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >&2
fi
if ! PGPASSWORD=$password "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  PGPASSWORD=$password "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE $db" >&2
fi
echo "export POSTGRES_HOSTNAME=127.0.0.1 POSTGRES_PORT=$port POSTGRES_USER=$user POSTGRES_PASSWORD=$password POSTGRES_DB=$db PG_BINDIR=$bindir"
