#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL on loopback, stopped and deleted afterwards:
#   scripts/with-postgres.sh COMMAND [ARGS...]
# The command sees VMNET_TEST_POSTGRES (an Npgsql connection string) and VMNET_TEST_POSTGRES_PASSWORD_FILE.
# The server takes the first free port from 25432.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/vmnet-postgres.XXXXXX)
port=25432
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
trap '"$root/scripts/postgres.sh" stop "$state"; rm -rf "$state"' EXIT
echo "postgres: starting on 127.0.0.1:$port" >&2
env_file=$("$root/scripts/postgres.sh" start "$state" "$port")
# shellcheck disable=SC1090
source "$env_file"
export VMNET_TEST_POSTGRES VMNET_TEST_POSTGRES_PASSWORD_FILE
"$@"
