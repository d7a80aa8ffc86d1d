#!/usr/bin/env bash
# Runs a command beside a private RabbitMQ on loopback, stopped afterwards:
#   scripts/with-rabbitmq.sh COMMAND [ARGS...]
# The command sees VMNET_RABBITMQ (amqp://guest:guest@127.0.0.1:PORT/) and, for the tests, VMNET_TEST_RABBITMQ
# (the same) and VMNET_TEST_RABBITMQCTL. The broker takes the first free port from 25672.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d /tmp/vmnet-rabbitmq.XXXXXX)
port=25672
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 2)); done
trap '"$root/scripts/rabbitmq.sh" stop "$state"; rm -rf "$state"' EXIT
echo "rabbitmq: starting on 127.0.0.1:$port" >&2
env_file=$("$root/scripts/rabbitmq.sh" start "$state" "$port")
# shellcheck disable=SC1090
source "$env_file"
export VMNET_TEST_RABBITMQ VMNET_TEST_RABBITMQCTL
export VMNET_RABBITMQ=$VMNET_TEST_RABBITMQ
"$@"
