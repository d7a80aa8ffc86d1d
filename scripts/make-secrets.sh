#!/usr/bin/env bash
# Makes the secrets docker-compose.yml reads from ./secrets/: a random password per broker user and for PostgreSQL, the Qdrant and
# search admin API keys, and a self-signed TLS certificate for the search endpoint (for `vmnet search --ca-file`).
# Existing files are kept, so running it again changes nothing. Usage: scripts/make-secrets.sh [HOSTNAME]
set -euo pipefail
cd "$(dirname "$0")/.."
host=${1:-localhost}
mkdir -p secrets
chmod 700 secrets
umask 077
for name in rabbitmq-admin rabbitmq-ingest rabbitmq-audio-features rabbitmq-video-features rabbitmq-embedder \
            rabbitmq-search rabbitmq-trainer qdrant-api-key postgres-password search-admin-key; do
  [[ -s secrets/$name ]] || openssl rand -hex 24 > "secrets/$name"
done
if [[ ! -s secrets/search-tls.crt ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
    -keyout secrets/search-tls.key -out secrets/search-tls.crt \
    -subj "/CN=$host" -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1"
fi
# Compose mounts secret files as they are (no uid/mode mapping outside swarm) and the roles run as a non-root
# user: the files must be world-readable; the folder (0700) keeps other local users out.
chmod 644 secrets/*
echo "secrets in $(pwd)/secrets; clients trust secrets/search-tls.crt with vmnet search --ca-file" >&2
