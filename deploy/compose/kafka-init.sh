#!/bin/bash
# docker-compose.yml, one-shot service kafka-init: Herald's topics, Kafka users and ACLs, then exit 0. Safe to run
# again: existing topics and ACLs stay, passwords are set to those of .env. Runs as the super user admin on the broker's
# internal listener (SASL/PLAIN).
# The users and ACLs are those of deploy/kubernetes/base/kafka-users.yaml (deploy-tests checks they agree).
set -euo pipefail
BIN=${KAFKA_BIN:-/opt/kafka/bin}
KAFKA=${KAFKA_ADMIN_BOOTSTRAP:-kafka:9094}
ADMIN=$(mktemp)
trap 'rm -f "$ADMIN"' EXIT
cat > "$ADMIN" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${HERALD_KAFKA_ADMIN_PASSWORD:?}";
PROPS

# Partitions as on Kubernetes (deploy/kubernetes/base/kafka-topics.yaml): they cap the consumers of a group.
create() {
  "$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA" --command-config "$ADMIN" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1
}
create herald.notifications 12
create herald.events 12
create herald.notifications.dlq 3
create herald.deliveries 24
create herald.deliveries.dlq 6
create herald.pushers.rejected 3
# Change events (cache invalidation between replicas): compacted, one partition, every instance reads it all.
create herald.changes 1
"$BIN/kafka-configs.sh" --bootstrap-server "$KAFKA" --command-config "$ADMIN" --alter --entity-type topics \
  --entity-name herald.changes --add-config cleanup.policy=compact >/dev/null

# user <name> <password>: its SCRAM-SHA-512 credential (the services log in with the same password from .env).
user() {
  "$BIN/kafka-configs.sh" --bootstrap-server "$KAFKA" --command-config "$ADMIN" --alter --entity-type users \
    --entity-name "$1" --add-config "SCRAM-SHA-512=[iterations=8192,password=$2]" >/dev/null
}
user herald-ingest "${HERALD_KAFKA_INGEST_PASSWORD:?}"
user herald-rules "${HERALD_KAFKA_RULES_PASSWORD:?}"
user herald-dispatcher "${HERALD_KAFKA_DISPATCHER_PASSWORD:?}"
user herald-producer "${HERALD_KAFKA_PRODUCER_PASSWORD:?}"

# allow <user> <topic|group> <name> <literal|prefixed> <operation>...
allow() {
  local principal=$1 type=$2 name=$3 pattern=$4 ops=()
  shift 4
  for op in "$@"; do ops+=(--operation "$op"); done
  "$BIN/kafka-acls.sh" --bootstrap-server "$KAFKA" --command-config "$ADMIN" --add --allow-principal "User:$principal" \
    "--$type" "$name" --resource-pattern-type "$pattern" "${ops[@]}" >/dev/null
}
allow herald-ingest topic herald.notifications literal Write Describe
allow herald-ingest topic herald.changes literal Read Write Describe Create
allow herald-ingest group herald-ingest-changes- prefixed Read

allow herald-rules topic herald.notifications literal Read Describe
allow herald-rules topic herald.events literal Read Describe
allow herald-rules group herald-rules literal Read
allow herald-rules group herald-rules-events literal Read
allow herald-rules topic herald.deliveries literal Write Describe
allow herald-rules topic herald.notifications.dlq literal Write Describe
allow herald-rules topic herald.pushers.rejected literal Read Describe
allow herald-rules topic herald.changes literal Read Write Describe Create
allow herald-rules group herald-rules-changes- prefixed Read

allow herald-dispatcher topic herald.deliveries literal Read Write Describe
allow herald-dispatcher group herald-dispatcher literal Read
allow herald-dispatcher topic herald.deliveries.dlq literal Write Describe
allow herald-dispatcher topic herald.pushers.rejected literal Write Describe
allow herald-dispatcher topic herald.changes literal Read Write Describe Create
allow herald-dispatcher group herald-dispatcher-changes- prefixed Read

allow herald-producer topic herald.notifications literal Write Describe
allow herald-producer topic herald.events literal Write Describe

"$BIN/kafka-topics.sh" --bootstrap-server "$KAFKA" --command-config "$ADMIN" --list
echo "users: herald-ingest herald-rules herald-dispatcher herald-producer (SCRAM-SHA-512), ACLs set"
