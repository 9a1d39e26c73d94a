#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL cluster on 127.0.0.1 for the tests (Debian's postgresql package).
#   eval "$(.ci/postgres.sh start)"   # installs if needed, starts, prints: export MLNETTUNING_POSTGRES=...
#   .ci/postgres.sh stop              # stops it and removes its data
# PGTEST_PORT (default 55432) and PGTEST_DIR (default /tmp/mlnettuning-pg) choose the port and the data folder.
set -euo pipefail
PORT="${PGTEST_PORT:-55432}"
DIR="${PGTEST_DIR:-/tmp/mlnettuning-pg}"
PASSWORD="${PGTEST_PASSWORD:-mlnettuning-test}"

find_bin() {
  local v
  for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
    if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$v/bin"; return 0; fi
  done
  return 1
}

as_postgres() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if ! BIN="$(find_bin)"; then
      echo "installing postgresql from Debian packages" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
      BIN="$(find_bin)"
    fi
    if [ -f "$DIR/data/postmaster.pid" ] && as_postgres "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "PostgreSQL already runs in $DIR" >&2
    else
      rm -rf "$DIR"
      mkdir -p "$DIR"
      [ "$(id -u)" = "0" ] && chown postgres "$DIR"
      printf '%s\n' "$PASSWORD" > "$DIR/pw"
      [ "$(id -u)" = "0" ] && chown postgres "$DIR/pw"
      as_postgres "$BIN/initdb" -D "$DIR/data" -U mlnettuning --pwfile="$DIR/pw" -A scram-sha-256 >/dev/null
      as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
        -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" start >/dev/null
      PGPASSWORD="$PASSWORD" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U mlnettuning mlnettuning_test
    fi
    echo "export MLNETTUNING_POSTGRES='Host=127.0.0.1;Port=$PORT;Database=mlnettuning_test;Username=mlnettuning;Password=$PASSWORD'"
    ;;
  stop)
    if BIN="$(find_bin)" && [ -d "$DIR/data" ]; then
      as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
