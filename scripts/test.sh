#!/usr/bin/env bash
# The test command: installs what is missing, starts RabbitMQ on loopback, runs every test, stops RabbitMQ.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/with-rabbitmq.sh dotnet test VmNet.Services.sln -c Release --logger "console;verbosity=normal" "$@"
