#!/usr/bin/env bash
# The test command: installs what is missing, starts RabbitMQ and PostgreSQL on loopback, runs every test, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/with-rabbitmq.sh ./scripts/with-postgres.sh dotnet test VmNet.Services.sln -c Release --logger "console;verbosity=normal" "$@"
# The whole suite (no arguments, as CI runs it) also checks the published host the README's main command runs:
# `./vmnet` publishes its own copy, whose native libraries are not the build's (TorchSharp on Debian 12,
# services/trainer/README.md), so one tiny training goes through it.
if [ "$#" -eq 0 ]; then
  echo "test.sh: the published host (./vmnet): a tiny training" >&2
  ./vmnet bench train --pairs 64 --threads 1 > /dev/null
fi
