#!/usr/bin/env bash
# The pipeline benchmark in one command: a private RabbitMQ, then `vmnet bench pipeline` on the embedded default and
# on separate role processes over that broker, in the same run. Extra arguments go to the benchmark, e.g.
#   scripts/bench-pipeline.sh --pairs 40 --seconds 30 --json
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh >&2
./scripts/with-rabbitmq.sh bash -c './vmnet bench pipeline --rabbitmq "$VMNET_RABBITMQ" "$@"' bench-pipeline "$@"
