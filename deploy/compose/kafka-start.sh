#!/bin/bash
# docker-compose.yml, service kafka: writes the broker's SASL logins from the environment, then starts the image's
# own entrypoint. (The apache/kafka image turns KAFKA_* variables into server.properties, but drops any value that
# contains '=', so a JAAS configuration cannot be given that way.)
#   CONTROLLER, BROKER  SASL/PLAIN, one user: admin (super user; the broker itself, kafka-init, the healthcheck)
#   CLIENT, HOST        SASL/SCRAM-SHA-512: the users kafka-init creates (herald-ingest, …), held to their ACLs
set -euo pipefail
: "${HERALD_KAFKA_ADMIN_PASSWORD:?set HERALD_KAFKA_ADMIN_PASSWORD in .env (deploy/compose/env.sh)}"
umask 077
admin="username=\"admin\" password=\"$HERALD_KAFKA_ADMIN_PASSWORD\""
cat > /tmp/kafka-server-jaas.conf <<JAAS
controller.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required $admin user_admin="$HERALD_KAFKA_ADMIN_PASSWORD";
};
broker.KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required $admin user_admin="$HERALD_KAFKA_ADMIN_PASSWORD";
};
client.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required;
};
host.KafkaServer {
  org.apache.kafka.common.security.scram.ScramLoginModule required;
};
JAAS
# The healthcheck's login.
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required $admin;
PROPS
export KAFKA_OPTS="${KAFKA_OPTS:-} -Djava.security.auth.login.config=/tmp/kafka-server-jaas.conf"
exec /etc/kafka/docker/run
