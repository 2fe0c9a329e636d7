#!/usr/bin/env bash
# Local services for the demo and the tests, installed on first use and bound to 127.0.0.1.
#   scripts/services.sh up|down|status
#   scripts/services.sh topics NAME...      (creates topics on the running broker)
# Services: a Kafka broker (KRaft, from the Apache Kafka jars on Maven Central) on 9092.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KAFKA_DIR="$RUN_DIR/kafka"
KAFKA_PID="$KAFKA_DIR/kafka.pid"
KAFKA_LOG="$KAFKA_DIR/kafka.log"
KAFKA_PORT=9092
TOPICS="otlp_spans llm.telemetry otlp_metrics sentinel.anomalies sentinel.deadletter"

# kafka_java ARGS...: a JVM on the broker's jars (the classpath glob is expanded by Java).
kafka_java() {
  java -Xmx384m -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -cp "$KAFKA_DIR/lib/*" "$@"
}

kafka_install() {
  if [ -f "$KAFKA_DIR/lib/.complete" ]; then return 0; fi
  log "installing Kafka 3.9.1 jars from Maven Central into $KAFKA_DIR/lib (first run only)"
  rm -rf "$KAFKA_DIR/lib"; mkdir -p "$KAFKA_DIR/lib"
  (cd "$ROOT/scripts/kafka" && mvn -q -B dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_DIR/lib" -DincludeScope=runtime) || die "could not fetch the Kafka jars"
  touch "$KAFKA_DIR/lib/.complete"
}

kafka_up() {
  if pid_alive "$KAFKA_PID" && port_open $KAFKA_PORT; then
    log "kafka already running (pid $(cat "$KAFKA_PID")) on 127.0.0.1:$KAFKA_PORT"; return 0
  fi
  if port_open $KAFKA_PORT; then
    die "port $KAFKA_PORT is taken by another process; stop it first"
  fi
  kafka_install
  mkdir -p "$KAFKA_DIR/data"
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
message.max.bytes=8388608
transaction.max.timeout.ms=3600000
PROPS
  cat > "$KAFKA_DIR/log4j.properties" <<'PROPS'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
PROPS
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local uuid
    uuid=$(kafka_java kafka.tools.StorageTool random-uuid)
    kafka_java kafka.tools.StorageTool format -t "$uuid" -c "$KAFKA_DIR/server.properties" >/dev/null
  fi
  log "starting kafka on 127.0.0.1:$KAFKA_PORT (log: $KAFKA_LOG)"
  nohup java -Xmx384m -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" -cp "$KAFKA_DIR/lib/*" kafka.Kafka "$KAFKA_DIR/server.properties" > "$KAFKA_LOG" 2>&1 &
  echo $! > "$KAFKA_PID"
  wait_for_port kafka $KAFKA_PORT "$KAFKA_PID" 90 "$KAFKA_LOG"
  kafka_topics
  log "kafka is up (pid $(cat "$KAFKA_PID"))"
}

kafka_topics() {
  for t in $TOPICS; do
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$KAFKA_PORT \
      --create --if-not-exists --topic "$t" --partitions 2 --replication-factor 1 >/dev/null \
      || die "could not create topic $t"
  done
  log "topics ready: $TOPICS"
}

case "${1:-}" in
  up) kafka_up ;;
  topics) shift; TOPICS="$*"; kafka_topics ;;
  down) stop_pid kafka "$KAFKA_PID" 60 ;;
  status)
    if pid_alive "$KAFKA_PID"; then echo "kafka: running (pid $(cat "$KAFKA_PID")) on 127.0.0.1:$KAFKA_PORT"; else echo "kafka: stopped"; fi ;;
  *) echo "usage: $0 up|down|status|topics NAME..." >&2; exit 2 ;;
esac
