#!/usr/bin/env bash
# The test command: installs what is missing, starts RabbitMQ on loopback, runs every test, stops RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

state=$(mktemp -d /tmp/vmnet-rabbitmq.XXXXXX)
# The first free loopback port from 25672 (bash only: a fresh machine need not have python).
port=25672
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 2)); done
trap './scripts/rabbitmq.sh stop "$state"; rm -rf "$state"' EXIT
echo "test: starting RabbitMQ on 127.0.0.1:$port"
env_file=$(./scripts/rabbitmq.sh start "$state" "$port")
# shellcheck disable=SC1090
source "$env_file"

dotnet test VmNet.Services.sln -c Release --logger "console;verbosity=normal" "$@"
