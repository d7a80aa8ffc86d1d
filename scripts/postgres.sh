#!/usr/bin/env bash
# Starts or stops a private PostgreSQL on loopback without systemd (Debian's postgresql package).
#   scripts/postgres.sh start DIR PORT   -> prints the path of an environment file to source: VMNET_TEST_POSTGRES
#                                          (an Npgsql connection string for the superuser "vmnet", password
#                                          authentication) and VMNET_TEST_POSTGRES_PASSWORD_FILE
#   scripts/postgres.sh stop DIR
# initdb and pg_ctl refuse to run as root: as root the cluster belongs to the package's "postgres" user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?state directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "postgres: no server under /usr/lib/postgresql/*/bin (install the postgresql package: scripts/setup.sh)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$cmd" = start ]; then
  port=${3:?port}
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
  chmod 700 "$dir"
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  printf '%s\n' "$password" > "$dir/password"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir/password"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U vmnet --pwfile="$dir/password" --auth=scram-sha-256 -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Loopback only, its socket in DIR (the package's /var/run/postgresql may not exist or be writable), no fsync:
  # a test cluster is thrown away, and fsync costs the shared machine more than anything else here.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=300" start >/dev/null \
    || { echo "postgres: did not start; log in $dir/server.log" >&2; cat "$dir/server.log" >&2; exit 1; }
  chmod 644 "$dir/password"
  printf 'export VMNET_TEST_POSTGRES=%q\nexport VMNET_TEST_POSTGRES_PASSWORD_FILE=%q\n' \
    "Host=127.0.0.1;Port=$port;Username=vmnet;Password=$password;Database=postgres" "$dir/password" > "$dir/test.env"
  echo "$dir/test.env"
elif [ "$cmd" = stop ]; then
  [ -f "$dir/data/postmaster.pid" ] || exit 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
else
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
fi
