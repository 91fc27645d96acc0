#!/usr/bin/env bash
# The whole pipeline under load on this machine (issue #8): a real Kafka broker, PostgreSQL and the three packaged
# services (started by deploy/local/run.sh on ports of their own), a counting homeserver and an HTTP load generator
# (bench/…/PipelineBenchmark). Prints, in one run:
#   - the raw Kafka baseline: the Kafka tools' producer and consumer performance tools, 400-byte records, same broker;
#   - notifications/s end to end over HTTP at full speed, and the 202 → homeserver latency at half that rate;
#   - notifications/s end to end when producers write herald.notifications directly.
# Each measurement follows a warm-up that lasts until the JIT compilers of all the JVMs are nearly idle (about two
# minutes on two cores), so a run takes 6–8 minutes.
# The output is also written to bench/target/pipeline-<time>.txt.
#
#   bench/pipeline.sh [--rebuild]      options via the environment: BENCH_SECONDS=20 BENCH_CONNECTIONS=128
#                                      BENCH_ROOMS=1000 BENCH_KAFKA_RECORDS=100000 BENCH_BASELINE_RECORDS=500000
#   BENCH_MODE=ingest bench/pipeline.sh   intake alone (issue #5): rules- and dispatcher-service are stopped first,
#                                      then notifications/s at full speed and the time to the 202 at half that rate;
#                                      BENCH_ENDPOINT=plain posts the one-line text/plain endpoint instead of JSON,
#                                      BENCH_ENDPOINT=both measures the two alternately, twice each (issue #17)
#   BENCH_TRACING=0.1 bench/pipeline.sh   with tracing on (issue #18), that share of notifications sampled (1.0: all),
#                                      exported over OTLP to run.sh --observability's receiver, which only counts them
#   BENCH_MODE=tracing-ab bench/pipeline.sh   what tracing a tenth costs, in one run: tracing on, phases in which no
#                                      request is traced alternate with phases in which every tenth is, in
#                                      BENCH_AB_ROUNDS=2 blocks A B B A, paced at half the full speed (BENCH_AB_LOAD=
#                                      closed: at full speed); prints the mean difference of the adjacent pairs with
#                                      its 95% confidence interval; BENCH_AB_TRACED_EVERY=2: every second request
#                                      traced in B (a fivefold difference, scaled back to a tenth)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" != "--inside" ]; then
  export HERALD_STATE_DIR=${HERALD_STATE_DIR:-$ROOT/.local/bench}
  export KAFKA_PORT=${KAFKA_PORT:-29092} KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-29093} PG_PORT=${PG_PORT:-25432}
  export INGEST_PORT=${INGEST_PORT:-28081} RULES_PORT=${RULES_PORT:-28082} DISPATCHER_PORT=${DISPATCHER_PORT:-28083}
  # What is measured is Herald, not its protective limits: lift the per-account rate limit of the dispatcher, and let
  # it keep 256 requests in flight to the one (counting) homeserver that all 1,000 rooms live on (one per room at most:
  # a room's deliveries go out in order).
  export HERALD_DISPATCHER_ACCOUNT_RATE_PER_SECOND=${HERALD_DISPATCHER_ACCOUNT_RATE_PER_SECOND:-1000000}
  export HERALD_DISPATCHER_ACCOUNT_BURST=${HERALD_DISPATCHER_ACCOUNT_BURST:-1000000}
  export HERALD_DISPATCHER_HOMESERVER_MAX_CONCURRENCY=${HERALD_DISPATCHER_HOMESERVER_MAX_CONCURRENCY:-256}
  export HERALD_DEV_SINK_ENABLED=false HERALD_SERVICE_XMX=${HERALD_SERVICE_XMX:-512m}
  export QUARKUS_LOG_LEVEL=${QUARKUS_LOG_LEVEL:-WARN}
  if [ "${1:-}" = "--rebuild" ] || [ ! -f "$ROOT/bench/target/benchmarks.jar" ]; then
    (cd "$ROOT" && ./mvnw -q -B -ntp -pl bench -am package -DskipTests)
  fi
  if ! ls "$HERALD_STATE_DIR"/kafka-tools/kafka-tools-*.jar >/dev/null 2>&1; then
    (cd "$ROOT" && ./mvnw -q -B -ntp -N install >/dev/null && ./mvnw -q -B -ntp -f deploy/local/pom.xml -Pkafka-tools \
        dependency:copy-dependencies -DincludeArtifactIds=kafka-tools -DoutputDirectory="$HERALD_STATE_DIR/kafka-tools")
  fi
  # Every run starts from an empty broker and database: a backlog left by an earlier run (BENCH_MODE=ingest leaves
  # everything it accepted in herald.notifications) would otherwise be measured, and then dead-lettered.
  rm -rf "$HERALD_STATE_DIR/kafka-data" "$HERALD_STATE_DIR/postgres" "$HERALD_STATE_DIR/demo-api-key" \
      "$HERALD_STATE_DIR/ingest-admin.token"
  mkdir -p "$ROOT/bench/target"
  OUT="$ROOT/bench/target/pipeline-$(date -u +%Y%m%dT%H%M%SZ).txt"
  OBSERVABILITY=""
  if [ -n "${BENCH_TRACING:-}" ] && [ "$BENCH_TRACING" != "off" ]; then
    export QUARKUS_OTEL_TRACES_SAMPLER_ARG=$BENCH_TRACING HERALD_TRACES_DISCARD=1
    OBSERVABILITY=--observability
  fi
  if [ "${BENCH_MODE:-}" = "tracing-ab" ]; then # traced exactly when the request says so (PipelineBenchmark)
    export QUARKUS_OTEL_TRACES_SAMPLER_ARG=0.0 HERALD_TRACES_DISCARD=1
    OBSERVABILITY=--observability
  fi
  HERALD_RUN_THEN="'$ROOT/bench/pipeline.sh' --inside 2>&1 | tee '$OUT'" exec "$ROOT/deploy/local/run.sh" ${1:+"$1"} \
      ${OBSERVABILITY:+"$OBSERVABILITY"}
fi

# --- inside: the stack is up (run.sh exported HERALD_STATE_DIR and the ports)
STATE=$HERALD_STATE_DIR
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
BOOTSTRAP=127.0.0.1:$KAFKA_PORT
TOOLS_CP="$STATE/kafka-libs/*:$STATE/kafka-tools/*"
RECORDS=${BENCH_BASELINE_RECORDS:-500000}
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)   machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB, $("$JAVA" -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)   tracing: ${BENCH_TRACING:-$([ "${BENCH_MODE:-}" = tracing-ab ] && echo "on, traced as requests say" || echo off)}   commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "--- Kafka baseline (kafka-producer-perf-test / kafka-consumer-perf-test, $RECORDS records of 400 bytes, acks=all)"
"$JAVA" -Xmx512m -cp "$TOOLS_CP" org.apache.kafka.tools.ProducerPerformance --topic herald.bench.baseline \
    --num-records "$RECORDS" --record-size 400 --throughput -1 \
    --producer-props bootstrap.servers="$BOOTSTRAP" acks=all compression.type=lz4 linger.ms=5 2>&1 | tail -1
"$JAVA" -Xmx512m -cp "$TOOLS_CP" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic herald.bench.baseline --messages "$RECORDS" --group "bench-baseline-$$" --timeout 60000 2>&1 \
  | grep -v ' INFO ' | tail -2
pid_of() { pgrep -f "$1" | head -1 || true; }
if [ "${BENCH_MODE:-pipeline}" = "ingest" ]; then
  # Intake alone: nothing consumes herald.notifications meanwhile (their CPU would be measured against intake).
  kill "$(pid_of "quarkus.http.port=$RULES_PORT ")" "$(pid_of "quarkus.http.port=$DISPATCHER_PORT ")" 2>/dev/null || true
  sleep 3
fi
echo "--- Herald ${BENCH_MODE:-pipeline}"
PIDS="ingest=$(pid_of "quarkus.http.port=$INGEST_PORT "),rules=$(pid_of "quarkus.http.port=$RULES_PORT ")"
PIDS="$PIDS,dispatcher=$(pid_of "quarkus.http.port=$DISPATCHER_PORT "),kafka=$(pid_of "kafka.Kafka $STATE/kafka.properties")"
PIDS="$PIDS,postgres=$(pgrep -d+ -x postgres || true)"
"$JAVA" -Xmx1g -cp "$(cd "$(dirname "$0")/.." && pwd)/bench/target/benchmarks.jar" io.herald.bench.pipeline.PipelineBenchmark \
    --ingest "http://127.0.0.1:$INGEST_PORT" --rules "http://127.0.0.1:$RULES_PORT" \
    --dispatcher "http://127.0.0.1:$DISPATCHER_PORT" --kafka "$BOOTSTRAP" --token "$(cat "$STATE/admin.token")" \
    --seconds "${BENCH_SECONDS:-20}" --connections "${BENCH_CONNECTIONS:-128}" --rooms "${BENCH_ROOMS:-1000}" \
    --kafka-records "${BENCH_KAFKA_RECORDS:-100000}" --pids "$PIDS" --mode "${BENCH_MODE:-pipeline}" \
    --endpoint "${BENCH_ENDPOINT:-json}" --ab-rounds "${BENCH_AB_ROUNDS:-2}" \
    --ab-load "${BENCH_AB_LOAD:-paced}" --ab-traced-every "${BENCH_AB_TRACED_EVERY:-10}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
