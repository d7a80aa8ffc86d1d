#!/usr/bin/env bash
# The test command: installs what is missing, starts RabbitMQ on loopback, runs every test, stops RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

state=$(mktemp -d /tmp/vmnet-rabbitmq.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 25672)
trap './scripts/rabbitmq.sh stop "$state"; rm -rf "$state"' EXIT
echo "test: starting RabbitMQ on 127.0.0.1:$port"
env_file=$(./scripts/rabbitmq.sh start "$state" "$port")
# shellcheck disable=SC1090
source "$env_file"
export VMNET_TEST_RABBITMQCTL=/usr/lib/rabbitmq/bin/rabbitmqctl

dotnet test VmNet.Services.sln -c Release --logger "console;verbosity=normal" "$@"
