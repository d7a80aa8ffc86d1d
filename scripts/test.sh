#!/usr/bin/env bash
# The test command: installs what is missing, starts RabbitMQ and PostgreSQL on loopback, runs every test, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/with-rabbitmq.sh ./scripts/with-postgres.sh dotnet test VmNet.Services.sln -c Release --logger "console;verbosity=normal" "$@"
