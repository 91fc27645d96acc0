#!/usr/bin/env bash
# Writes the secrets docker-compose.yml needs into .env: each one that is missing gets a random value, none that is
# there is changed (run it again after an upgrade that needs new ones). Usage: deploy/compose/env.sh [file, default .env]
# An install from before the per-service credentials: put POSTGRES_PASSWORD=herald (the former default) in .env first.
set -euo pipefail
FILE=${1:-.env}
touch "$FILE"
chmod 600 "$FILE"
hex() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
add() { grep -q "^$1=" "$FILE" || printf '%s=%s\n' "$1" "$2" >> "$FILE"; }
# Encrypts Matrix access tokens in the dispatcher's database: keep it (without it the stored tokens are lost).
add HERALD_SECRETS_KEY "$(head -c 32 /dev/urandom | base64)"
# The admin's service token (for you, the CLI and matrix-setup) and its SHA-256, which is all the services get.
add HERALD_ADMIN_TOKEN "hrldt_$(hex)"
add HERALD_ADMIN_TOKEN_SHA256 "$(grep '^HERALD_ADMIN_TOKEN=' "$FILE" | cut -d= -f2- | tr -d '\n' | sha256sum | cut -d' ' -f1)"
# Ingest's own service token for the dispatcher's sender-queue API (status, queue, purge, flush of API keys' rooms):
# ingest gets the token, the dispatcher only its SHA-256 (role operator, every tenant; ingest passes the key's tenant).
add HERALD_INGEST_SERVICE_TOKEN "hrldt_$(hex)"
add HERALD_INGEST_SERVICE_TOKEN_SHA256 "$(grep '^HERALD_INGEST_SERVICE_TOKEN=' "$FILE" | cut -d= -f2- | tr -d '\n' | sha256sum | cut -d' ' -f1)"
# PostgreSQL: the superuser (used by postgres-init only) and one role per service.
# Kafka: the super user admin (kafka-init, the broker itself), one user per service, and herald-producer for your
# Kafka-native producers. Grafana's admin (profile observability). Letters and digits only: they pass through PGOPTIONS and SCRAM configurations.
for name in POSTGRES_PASSWORD HERALD_DB_INGEST_PASSWORD HERALD_DB_RULES_PASSWORD HERALD_DB_DISPATCHER_PASSWORD \
    HERALD_KAFKA_ADMIN_PASSWORD HERALD_KAFKA_INGEST_PASSWORD HERALD_KAFKA_RULES_PASSWORD \
    HERALD_KAFKA_DISPATCHER_PASSWORD HERALD_KAFKA_PRODUCER_PASSWORD GRAFANA_ADMIN_PASSWORD; do
  add "$name" "$(hex)"
done
