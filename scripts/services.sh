#!/usr/bin/env bash
# Local services for the demo and the tests, installed on first use and bound to 127.0.0.1.
#   scripts/services.sh up|down|status [SERVICE...]     (default: kafka rabbitmq redis influxdb)
#   scripts/services.sh restart SERVICE
#   scripts/services.sh topics NAME...                   (creates topics on the running broker)
# Services:
#   kafka            KRaft broker from the Apache Kafka jars on Maven Central, 127.0.0.1:9092
#   rabbitmq         Debian's rabbitmq-server, 127.0.0.1:5672 (guest/guest, loopback only)
#   redis            Debian's redis-server, 127.0.0.1:6379, no persistence
#   influxdb         Debian's InfluxDB 1.6.7, 127.0.0.1:8086 (InfluxDB 3 cannot run here)
#   influx-translator  InfluxDB 3 wire calls (HTTP writes, Flight DoGet with InfluxQL) on
#                    127.0.0.1:8181, run against the InfluxDB 1.x above (needs the built project)
# Every process is stopped by the PID recorded when it started, never by name.
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


kafka_up() {
  if pid_alive "$KAFKA_PID" && port_open $KAFKA_PORT; then
    log "kafka already running (pid $(cat "$KAFKA_PID")) on 127.0.0.1:$KAFKA_PORT"; return 0
  fi
  if port_open $KAFKA_PORT; then
    die "port $KAFKA_PORT is taken by another process; stop it first"
  fi
  install_jars "$ROOT/scripts/kafka" "$KAFKA_DIR/lib" "the Kafka 3.9.1 broker jars"
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
  # The control topic: one partition (commands apply in the order written), compacted (never
  # deleted by age: what is in force is rebuilt from the whole topic), keyed per command by the
  # query API (docs/query-api.md). The alter also converts a topic made by an older version.
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$KAFKA_PORT \
    --create --if-not-exists --topic sentinel.control --partitions 1 --replication-factor 1 \
    --config cleanup.policy=compact >/dev/null \
    || die "could not create topic sentinel.control"
  kafka_java kafka.admin.ConfigCommand --bootstrap-server 127.0.0.1:$KAFKA_PORT --entity-type topics \
    --entity-name sentinel.control --alter --add-config cleanup.policy=compact >/dev/null \
    || die "could not set cleanup.policy=compact on topic sentinel.control"
  log "topics ready: $TOPICS sentinel.control (compacted)"
}

# ---------------------------------------------------------------- RabbitMQ
RABBIT_DIR="$RUN_DIR/rabbitmq"
RABBIT_PID="$RABBIT_DIR/rabbit.pid"
EPMD_PID="$RABBIT_DIR/epmd.pid"
RABBIT_PORT=5672
RABBIT_BIN=/usr/lib/rabbitmq/bin

# The node's environment: all state in a private folder, Erlang distribution on loopback only.
rabbit_env() {
  export HOME="$RABBIT_DIR/home" RABBITMQ_NODENAME=rabbit@localhost \
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
    RABBITMQ_PID_FILE="$RABBIT_PID" ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT=25672 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_up() {
  if pid_alive "$RABBIT_PID" && port_open $RABBIT_PORT; then
    log "rabbitmq already running (pid $(cat "$RABBIT_PID")) on 127.0.0.1:$RABBIT_PORT"; return 0
  fi
  port_open $RABBIT_PORT && die "port $RABBIT_PORT is taken by another process; stop it first"
  [ -x "$RABBIT_BIN/rabbitmq-server" ] || { ensure_command erl erlang-base; ensure_package rabbitmq-server; }
  ensure_command pgrep procps   # to record the PID of epmd, which the node starts
  mkdir -p "$RABBIT_DIR/home" "$RABBIT_DIR/log" "$RABBIT_DIR/mnesia"
  echo "listeners.tcp.default = 127.0.0.1:$RABBIT_PORT" > "$RABBIT_DIR/rabbitmq.conf"
  echo "[]." > "$RABBIT_DIR/enabled_plugins"
  log "starting rabbitmq on 127.0.0.1:$RABBIT_PORT (logs: $RABBIT_DIR/log)"
  ( rabbit_env; "$RABBIT_BIN/rabbitmq-server" -detached ) >> "$RABBIT_DIR/start.log" 2>&1
  ( rabbit_env; "$RABBIT_BIN/rabbitmqctl" wait --timeout 180 "$RABBIT_PID" ) >> "$RABBIT_DIR/start.log" 2>&1 \
    || { tail -n 30 "$RABBIT_DIR/start.log" >&2; die "rabbitmq did not start (logs: $RABBIT_DIR/log)"; }
  # epmd outlives the node: remember its PID so that 'down' stops exactly it.
  local epmd
  epmd=$(pgrep -n -x epmd || true)
  [ -n "$epmd" ] && echo "$epmd" > "$EPMD_PID"
  log "rabbitmq is up (pid $(cat "$RABBIT_PID"))"
}

rabbit_down() {
  if pid_alive "$RABBIT_PID"; then
    log "stopping rabbitmq (pid $(cat "$RABBIT_PID"))"
    ( rabbit_env; "$RABBIT_BIN/rabbitmqctl" stop "$RABBIT_PID" ) >/dev/null 2>&1 || stop_pid rabbitmq "$RABBIT_PID" 30
  fi
  rm -f "$RABBIT_PID"
  stop_pid epmd "$EPMD_PID" 10
}

# ---------------------------------------------------------------- Redis
REDIS_DIR="$RUN_DIR/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_PORT=6379

redis_up() {
  if pid_alive "$REDIS_PID" && port_open $REDIS_PORT; then
    log "redis already running (pid $(cat "$REDIS_PID")) on 127.0.0.1:$REDIS_PORT"; return 0
  fi
  port_open $REDIS_PORT && die "port $REDIS_PORT is taken by another process; stop it first"
  command -v redis-server >/dev/null 2>&1 || ensure_package redis-server
  mkdir -p "$REDIS_DIR"
  log "starting redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port $REDIS_PORT --daemonize yes --pidfile "$REDIS_PID" \
    --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" --save '' --appendonly no
  wait_until "redis on port $REDIS_PORT" 10 - "$REDIS_DIR/redis.log" \
    bash -c "[ -s '$REDIS_PID' ] && (exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT) 2>/dev/null"
  log "redis is up (pid $(cat "$REDIS_PID"))"
}

# ---------------------------------------------------------------- InfluxDB 1.x
INFLUX_DIR="$RUN_DIR/influxdb"
INFLUX_PID="$INFLUX_DIR/influxd.pid"
INFLUX_PORT=8086

influx_up() {
  if pid_alive "$INFLUX_PID" && port_open $INFLUX_PORT; then
    log "influxdb already running (pid $(cat "$INFLUX_PID")) on 127.0.0.1:$INFLUX_PORT"; return 0
  fi
  port_open $INFLUX_PORT && die "port $INFLUX_PORT is taken by another process; stop it first"
  command -v influxd >/dev/null 2>&1 || ensure_package influxdb
  ensure_command curl curl      # to create the database
  mkdir -p "$INFLUX_DIR"
  cat > "$INFLUX_DIR/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:8088"
[meta]
  dir = "$INFLUX_DIR/meta"
[data]
  dir = "$INFLUX_DIR/data"
  wal-dir = "$INFLUX_DIR/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
CONF
  log "starting influxdb 1.x on 127.0.0.1:$INFLUX_PORT (the closest real server to InfluxDB 3 here)"
  nohup influxd -config "$INFLUX_DIR/influxdb.conf" > "$INFLUX_DIR/influxd.log" 2>&1 &
  echo $! > "$INFLUX_PID"
  wait_for_port influxdb $INFLUX_PORT "$INFLUX_PID" 30 "$INFLUX_DIR/influxd.log"
  curl -sf -XPOST "http://127.0.0.1:$INFLUX_PORT/query" --data-urlencode "q=CREATE DATABASE sentinel" >/dev/null \
    || die "could not create the sentinel database"
  log "influxdb is up (pid $(cat "$INFLUX_PID")), database 'sentinel'"
}

# ---------------------------------------------------------------- InfluxDB 3 translator
TRANSLATOR_DIR="$RUN_DIR/influx-translator"
TRANSLATOR_PID="$TRANSLATOR_DIR/translator.pid"
TRANSLATOR_PORT=8181

translator_up() {
  if pid_alive "$TRANSLATOR_PID" && port_open $TRANSLATOR_PORT; then
    log "influx-translator already running (pid $(cat "$TRANSLATOR_PID")) on 127.0.0.1:$TRANSLATOR_PORT"; return 0
  fi
  port_open $TRANSLATOR_PORT && die "port $TRANSLATOR_PORT is taken by another process; stop it first"
  build_project
  mkdir -p "$TRANSLATOR_DIR"
  log "starting the InfluxDB 3 wire translator on 127.0.0.1:$TRANSLATOR_PORT -> InfluxDB 1.x on $INFLUX_PORT"
  devtools_spawn "$TRANSLATOR_DIR/translator.log" "$TRANSLATOR_PID" -Xmx256m \
    io.llmsentinel.testkit.InfluxTranslator --port $TRANSLATOR_PORT --influxdb "http://127.0.0.1:$INFLUX_PORT"
  wait_for_port influx-translator $TRANSLATOR_PORT "$TRANSLATOR_PID" 30 "$TRANSLATOR_DIR/translator.log"
}

# ---------------------------------------------------------------- commands
DEFAULT_SERVICES="kafka rabbitmq redis influxdb"

service_up() {
  case "$1" in
    kafka) kafka_up ;; rabbitmq) rabbit_up ;; redis) redis_up ;; influxdb) influx_up ;;
    influx-translator) translator_up ;;
    *) die "unknown service '$1' (kafka, rabbitmq, redis, influxdb, influx-translator)" ;;
  esac
}

service_down() {
  case "$1" in
    kafka) stop_pid kafka "$KAFKA_PID" 60 ;;
    rabbitmq) rabbit_down ;;
    redis) stop_pid redis "$REDIS_PID" 20 ;;
    influxdb) stop_pid influxdb "$INFLUX_PID" 20 ;;
    influx-translator) stop_pid influx-translator "$TRANSLATOR_PID" 20 ;;
    *) die "unknown service '$1'" ;;
  esac
}

service_status() {
  local name=$1 pidfile=$2 port=$3
  if pid_alive "$pidfile"; then echo "$name: running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; else echo "$name: stopped"; fi
}

cmd=${1:-}; shift || true
case "$cmd" in
  up) for s in ${*:-$DEFAULT_SERVICES}; do service_up "$s"; done ;;
  down)
    # Reverse order; the translator too, if a demo left it running.
    for s in ${*:-influx-translator influxdb redis rabbitmq kafka}; do service_down "$s"; done ;;
  restart) [ $# -eq 1 ] || die "usage: $0 restart SERVICE"; service_down "$1"; service_up "$1" ;;
  topics) TOPICS="$*"; kafka_topics ;;
  status)
    service_status kafka "$KAFKA_PID" $KAFKA_PORT
    service_status rabbitmq "$RABBIT_PID" $RABBIT_PORT
    service_status redis "$REDIS_PID" $REDIS_PORT
    service_status influxdb "$INFLUX_PID" $INFLUX_PORT
    service_status influx-translator "$TRANSLATOR_PID" $TRANSLATOR_PORT ;;
  *) echo "usage: $0 up|down|status [SERVICE...] | restart SERVICE | topics NAME..." >&2; exit 2 ;;
esac
