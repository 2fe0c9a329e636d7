#!/usr/bin/env bash
# The soak (scripts/chaos.sh --soak SECONDS runs this): the shipped job jar on the local session
# cluster (a JobManager and two TaskManagers, scripts/cluster.sh) with conf/sentinel.yaml and every
# output on (the exactly-once anomaly topic, RabbitMQ, a signed webhook receiver, InfluxDB 1.x
# behind the InfluxDB 3 translator, Redis; alerts.deliver both, so each alert change and each
# incident change can be counted at RabbitMQ and the webhook), steady generated traffic with an
# incident around each fault, and one fault every --fault-every seconds, in turn:
#   influxdb     the translator and InfluxDB away for --outage seconds
#   rabbitmq     the broker away (scripts/services.sh down/up rabbitmq)
#   webhook      the receiver away (connection refused)
#   redis        Redis away (it comes back empty: no persistence)
#   taskmanager  kill -9 of the TaskManager that runs the job, started again --tm-down s later
#   input        the generator sends nothing for --pause seconds (a quiet period, not a backlog)
# After the faults, --settle seconds of traffic without incidents (every alert can resolve), then
# the report (io.llmsentinel.devtools.soak.SoakReport), printed and written to .run/chaos/soak.txt;
# exit code 1 when something is missing, stuck, restarted outside the kill or grew.
#   scripts/chaos.sh --soak SECONDS [--fault-every 600] [--outage 120] [--pause 180] [--tm-down 30]
#       [--faults influxdb,rabbitmq,webhook,redis,taskmanager,input] [--rate 20] [--history 1800]
#       [--settle 420] [--flat-within 0.25] [--no-build]
# Needs the machine to itself (ports 9092, 5672, 6379, 8086, 8181, 8081, 8099): it refuses to
# start beside another Flink cluster, benchmark or Maven test run. Builds with `mvn package`
# (nothing installed); starts what is not running and stops it again at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SOAK=""
EVERY=600
OUTAGE=120
PAUSE=180
TM_DOWN=30
FAULTS="influxdb,rabbitmq,webhook,redis,taskmanager,input"
RATE=20
HISTORY=1800
SETTLE=420
FLAT_WITHIN=0.25
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --soak) SOAK=$2; shift 2 ;;
    --fault-every) EVERY=$2; shift 2 ;;
    --outage) OUTAGE=$2; shift 2 ;;
    --pause) PAUSE=$2; shift 2 ;;
    --tm-down) TM_DOWN=$2; shift 2 ;;
    --faults) FAULTS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --history) HISTORY=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --flat-within) FLAT_WITHIN=$2; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) die "unknown option $1 (see the header of $0)" ;;
  esac
done
[ -n "$SOAK" ] || die "--soak SECONDS is required"
[ "$SOAK" -ge "$EVERY" ] || die "--soak ($SOAK s) must hold at least one fault (--fault-every $EVERY s)"
IFS=, read -r -a FAULT_LIST <<< "$FAULTS"
for f in "${FAULT_LIST[@]}"; do
  case "$f" in influxdb|rabbitmq|webhook|redis|taskmanager|input) ;; *) die "unknown fault '$f'" ;; esac
done
ensure_command curl curl
ensure_command jq jq

# Never beside another heavy run: they would share ports, cores and the broker with this one.
others=$(ps -eo pid,args | grep -E 'kafka\.Kafka|TaskManagerRunner|StandaloneSessionClusterEntrypoint|EndToEndBenchmark|surefire|failsafe' \
  | grep -v -e grep -e "$RUN_DIR/" || true)
[ -z "$others" ] || die "another run is going on (wait until it ends; the soak needs the machine to itself):
$others"

RUN="s$(date +%Y%m%d%H%M%S)"
DIR="$RUN_DIR/chaos/soak-$RUN"
mkdir -p "$DIR/console"
chmod 700 "$DIR"
FLINK_DIR="$RUN_DIR/flink"
WEBHOOK_PORT=8099
TRANSLATOR_PORT=8181
FAULTS_FILE="$DIR/faults.jsonl"
PAUSE_FILE="$DIR/input.paused"
: > "$FAULTS_FILE"
now_ms() { date +%s%3N; }

JOB_ID=""
SERVICES_STARTED=""
CLUSTER_STARTED=0
DOWN_NOW=""   # a service a fault has taken away, to bring back if the soak is interrupted
cleanup() {
  trap - INT TERM EXIT
  log "soak: stopping what it started"
  rm -f "$PAUSE_FILE"
  stop_pid generator "$DIR/generator.pid" 10
  [ -f "$DIR/watch.pid" ] && { touch "$DIR/watch.stop"; stop_pid "soak watch" "$DIR/watch.pid" 30; }
  if [ -n "$JOB_ID" ] && pid_alive "$FLINK_DIR/jobmanager.pid"; then
    "$ROOT/scripts/flink.sh" cancel "$JOB_ID" >/dev/null 2>&1 || true
  fi
  stop_pid "webhook receiver" "$DIR/webhook.pid" 10
  stop_pid "RabbitMQ consumer" "$DIR/consumer.pid" 10
  stop_pid "influx translator" "$DIR/translator.pid" 10
  case "$DOWN_NOW" in
    rabbitmq|redis) "$ROOT/scripts/services.sh" up "$DOWN_NOW" || true ;;
    influxdb) "$ROOT/scripts/services.sh" up influxdb || true ;;
  esac
  if [ "$CLUSTER_STARTED" = 1 ]; then "$ROOT/scripts/cluster.sh" down || true; fi
  if [ -n "${SERVICES_STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $SERVICES_STARTED || true; fi
  log "soak: files in $DIR"
}
trap cleanup INT TERM EXIT

if [ "$BUILD" = 1 ]; then
  log "building the job and the dev tools (mvn package, tests skipped; nothing is installed)"
  (cd "$ROOT" && mvn -B -q package -DskipTests) || die "build failed"
fi
[ -f "$ROOT/job/target/sentinel-job.jar" ] && [ -f "$ROOT/devtools/tools/target/classpath.txt" ] \
  || die "no build: run without --no-build"

SERVICES_STARTED=$(services_to_stop kafka rabbitmq redis influxdb)
"$ROOT/scripts/services.sh" up kafka rabbitmq redis influxdb
# A fresh cluster: its TaskManagers' stdout (the console sink) then holds only this job.
if pid_alive "$FLINK_DIR/jobmanager.pid"; then "$ROOT/scripts/cluster.sh" down; fi
"$ROOT/scripts/cluster.sh" up 2
CLUSTER_STARTED=1

# ---------------------------------------------------------------- this run's topics and stores
kafka_topic() {  # NAME PARTITIONS [--config K=V]
  java -cp "$RUN_DIR/kafka/lib/*" -Dlog4j.configuration="file:$RUN_DIR/kafka/log4j.properties" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1 "${@:3}" >/dev/null || die "could not create topic $1"
}
for t in otlp metrics native anomalies deadletter; do kafka_topic "soak-$RUN-$t" 2; done
kafka_topic "soak-$RUN-control" 1 --config cleanup.policy=compact
DB="soak_$RUN"
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=CREATE DATABASE $DB" >/dev/null \
  || die "could not create the InfluxDB database $DB"
log "run $RUN: topics soak-$RUN-*, InfluxDB database $DB, RabbitMQ exchange and queue soak-$RUN"

# The InfluxDB 3 translator, started here (not by services.sh, which may rebuild): a fault stops it.
translator_up() {
  port_open $TRANSLATOR_PORT && die "port $TRANSLATOR_PORT is taken"
  local logf="$DIR/translator-$(now_ms).log"
  devtools_spawn "$logf" "$DIR/translator.pid" -Xmx256m \
    io.llmsentinel.testkit.InfluxTranslator --port $TRANSLATOR_PORT --influxdb http://127.0.0.1:8086
  wait_for_port influx-translator $TRANSLATOR_PORT "$DIR/translator.pid" 30 "$logf"
}
translator_up

# ---------------------------------------------------------------- receivers
DEMO_WEBHOOK_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export DEMO_WEBHOOK_SECRET
webhook_up() {
  port_open $WEBHOOK_PORT && die "port $WEBHOOK_PORT is taken; the soak's webhook receiver needs it"
  local logf="$DIR/webhook-$(now_ms).log"
  devtools_spawn "$logf" "$DIR/webhook.pid" -Xmx128m io.llmsentinel.devtools.demo.WebhookReceiver \
    "$WEBHOOK_PORT" --record "$DIR/webhook-deliveries.jsonl"
  wait_for_port "webhook receiver" $WEBHOOK_PORT "$DIR/webhook.pid" 30 "$logf"
}
webhook_up
devtools_spawn "$DIR/rabbitmq-consumer.log" "$DIR/consumer.pid" -Xmx128m \
  io.llmsentinel.devtools.demo.AlertQueueConsumer --exchange "soak-$RUN" --queue "soak-$RUN" \
  --purge true --record "$DIR/rabbitmq-deliveries.jsonl"
wait_until "RabbitMQ consumer on its queue" 30 "$DIR/consumer.pid" "$DIR/rabbitmq-consumer.log" \
  grep -q "^consuming queue" "$DIR/rabbitmq-consumer.log"

# ---------------------------------------------------------------- the job
# conf/sentinel.yaml with the receiver as a webhook endpoint (the secret in this private file).
sed '/^sinks:/a\
  webhooks:\
    - name: soak-receiver\
      url: http://127.0.0.1:'"$WEBHOOK_PORT"'/hook\
      secrets: ["'"$DEMO_WEBHOOK_SECRET"'"]' "$ROOT/conf/sentinel.yaml" > "$DIR/sentinel-soak.yaml"
chmod 600 "$DIR/sentinel-soak.yaml"
cat > "$DIR/job.args" <<ARGS
--config
$DIR/sentinel-soak.yaml
--kafka.bootstrap-servers
127.0.0.1:9092
--kafka.starting-offsets
earliest
--kafka.group-id
soak-$RUN
--inputs.otlp-traces.topic
soak-$RUN-otlp
--inputs.otlp-metrics.topic
soak-$RUN-metrics
--inputs.native-events.topic
soak-$RUN-native
--sinks.kafka.topic
soak-$RUN-anomalies
--sinks.kafka.transactional-id-prefix
soak-$RUN
--dead-letter.topic
soak-$RUN-deadletter
--control.topic
soak-$RUN-control
--sinks.rabbitmq.enabled
true
--sinks.rabbitmq.exchange
soak-$RUN
--sinks.influxdb.enabled
true
--sinks.influxdb.database
$DB
--sinks.redis.enabled
true
--alerts.deliver
both
ARGS
mapfile -t JOB_ARGS < "$DIR/job.args"
log "submitting the job (scripts/flink.sh run -d job/target/sentinel-job.jar, arguments in $DIR/job.args)"
OUT=$("$ROOT/scripts/flink.sh" run -d "$ROOT/job/target/sentinel-job.jar" "${JOB_ARGS[@]}" 2>&1) \
  || { echo "$OUT" >&2; die "submission failed"; }
JOB_ID=$(grep -oE 'JobID [0-9a-f]{32}' <<<"$OUT" | awk '{print $2}')
[ -n "$JOB_ID" ] || { echo "$OUT" >&2; die "no JobID in the submission's output"; }
job_running() {
  curl -fs "http://127.0.0.1:8081/jobs/$JOB_ID" | jq -e '.state == "RUNNING" and ([.vertices[].status] | all(. == "RUNNING"))' >/dev/null
}
wait_until "job $JOB_ID RUNNING" 180 "$FLINK_DIR/jobmanager.pid" "$FLINK_DIR/log/jobmanager.log" job_running
log "job $JOB_ID RUNNING (http://localhost:8081)"

# ---------------------------------------------------------------- traffic
GEN=(--topic "soak-$RUN-otlp" --metrics --metrics-topic "soak-$RUN-metrics" --rate "$RATE" --bad-every 200)
log "history: $HISTORY s of generated traffic, back-dated and sent at once, for the baselines"
devtools_java -Xmx512m io.llmsentinel.devtools.generator.GeneratorMain "${GEN[@]}" --fast \
  --duration "$HISTORY" --seed 7 > "$DIR/generator-history.log" 2>&1 || die "the history's generator failed"

# Fault i starts at FIRST + i * EVERY seconds of live traffic.
FIRST=$((EVERY / 2))
NFAULTS=$((SOAK / EVERY))
LIVE_S=$((SOAK + SETTLE))
# An incident around each fault: during an outage (alerts decided while an output is away), open
# when the TaskManager dies, after the pause (the job picks up). Types and services in turn.
TARGETS=(latency_spike:support-bot token_explosion:code-assistant error_burst:search-summarizer
         latency_spike:rag-api cost_jump:support-bot latency_spike:code-assistant)
INCIDENTS=()
for ((i = 0; i < NFAULTS; i++)); do
  f=${FAULT_LIST[$((i % ${#FAULT_LIST[@]}))]}
  at=$((FIRST + i * EVERY))
  case "$f" in
    input) from=$((at + PAUSE + 30)) ;;
    taskmanager) from=$((at - 40)) ;;
    *) from=$((at + 15)) ;;
  esac
  target=${TARGETS[$((i % ${#TARGETS[@]}))]}
  length=90; [[ "$target" == error_burst* ]] && length=180
  # room after it for its alerts to resolve (recovery windows of 2-3 min, plus the watermark)
  if [ "$from" -ge 0 ] && [ $((from + length + 300)) -le "$LIVE_S" ]; then
    INCIDENTS+=(--incident "$target@$from+$length")
  fi
done
LIVE_START=$(now_ms)
log "live traffic for $LIVE_S s at $RATE messages/s: ${INCIDENTS[*]}"
devtools_spawn "$DIR/generator.log" "$DIR/generator.pid" -Xmx512m \
  io.llmsentinel.devtools.generator.GeneratorMain "${GEN[@]}" --duration "$LIVE_S" --seed 42 \
  --record "$DIR/incidents.jsonl" --pause-file "$PAUSE_FILE" "${INCIDENTS[@]}"
devtools_spawn "$DIR/watch.log" "$DIR/watch.pid" -Xmx256m io.llmsentinel.devtools.soak.SoakWatch watch \
  --dir "$DIR" --job "$JOB_ID" --flink-dir "$FLINK_DIR" --influx-db "$DB" \
  --since-ms $((LIVE_START - HISTORY * 1000 - 600000))

# sleep_until_s S: until S seconds of live traffic have passed.
sleep_until_s() {
  local wait=$(( LIVE_START + $1 * 1000 - $(now_ms) ))
  [ "$wait" -le 0 ] || sleep "$(awk -v w="$wait" 'BEGIN { printf "%.3f", w / 1000 }')"
}
mark() {
  log "mark '$1': a full GC in each TaskManager, a fresh checkpoint, heap and checkpoint size"
  devtools_java -Xmx128m io.llmsentinel.devtools.soak.SoakWatch mark --dir "$DIR" --job "$JOB_ID" \
    --flink-dir "$FLINK_DIR" --name "$1" > "$DIR/mark-$1.log" 2>&1 || log "mark '$1' failed (see $DIR/mark-$1.log)"
}
record_fault() {  # NAME START_MS END_MS DETAIL
  printf '{"fault":"%s","start_ms":%s,"end_ms":%s,"detail":"%s"}\n' "$1" "$2" "$3" "$4" >> "$FAULTS_FILE"
  log "fault $1 over: $(( ($3 - $2) / 1000 )) s ($4)"
}
# The TaskManager whose slots the job holds most of.
busiest_tm() {
  curl -fs http://127.0.0.1:8081/taskmanagers \
    | jq -r '[.taskmanagers[] | {id, used: (.slotsNumber - .freeSlots)}] | max_by(.used) | .id' \
    | sed -E 's/^localhost-tm-([0-9]+)-.*/\1/'
}

fault() {
  local f=$1 start end detail
  start=$(now_ms)
  log "fault $f"
  case "$f" in
    influxdb)
      DOWN_NOW=influxdb
      stop_pid "influx translator" "$DIR/translator.pid" 10
      "$ROOT/scripts/services.sh" down influxdb
      sleep "$OUTAGE"
      "$ROOT/scripts/services.sh" up influxdb
      translator_up
      detail="translator and InfluxDB stopped for $OUTAGE s" ;;
    rabbitmq)
      DOWN_NOW=rabbitmq
      "$ROOT/scripts/services.sh" down rabbitmq
      sleep "$OUTAGE"
      "$ROOT/scripts/services.sh" up rabbitmq
      detail="broker stopped for $OUTAGE s" ;;
    redis)
      DOWN_NOW=redis
      "$ROOT/scripts/services.sh" down redis
      sleep "$OUTAGE"
      "$ROOT/scripts/services.sh" up redis
      detail="Redis stopped for $OUTAGE s" ;;
    webhook)
      stop_pid "webhook receiver" "$DIR/webhook.pid" 10
      sleep "$OUTAGE"
      webhook_up
      detail="receiver stopped for $OUTAGE s" ;;
    taskmanager)
      local tm
      tm=$(busiest_tm)
      [ -n "$tm" ] || die "no TaskManager holds the job's slots"
      "$ROOT/scripts/cluster.sh" kill-tm "$tm"
      sleep "$TM_DOWN"
      # starting it again truncates its stdout: keep what the killed one printed
      local base="$FLINK_DIR/log/taskmanager"; [ "$tm" = 1 ] || base="$base-$tm"
      cp "$base.out" "$DIR/console/taskmanager-$tm.killed-$start.out" 2>/dev/null || true
      cp "$base.log" "$DIR/taskmanager-$tm.killed-$start.log" 2>/dev/null || true
      "$ROOT/scripts/cluster.sh" start-tm "$tm"
      wait_until "job $JOB_ID RUNNING again" 300 "$FLINK_DIR/jobmanager.pid" "$FLINK_DIR/log/jobmanager.log" job_running
      detail="kill -9 of TaskManager $tm, started again after $TM_DOWN s; end: the job RUNNING" ;;
    input)
      touch "$PAUSE_FILE"
      sleep "$PAUSE"
      rm -f "$PAUSE_FILE"
      detail="generator sent nothing for $PAUSE s" ;;
  esac
  DOWN_NOW=""
  end=$(now_ms)
  record_fault "$f" "$start" "$end" "$detail"
}

MARK_AT=$((FIRST - 45)); [ "$MARK_AT" -ge 10 ] || MARK_AT=10
sleep_until_s "$MARK_AT"
mark start
for ((i = 0; i < NFAULTS; i++)); do
  sleep_until_s $((FIRST + i * EVERY))
  pid_alive "$DIR/generator.pid" || die "the generator stopped early (see $DIR/generator.log)"
  fault "${FAULT_LIST[$((i % ${#FAULT_LIST[@]}))]}"
done
sleep_until_s $((LIVE_S - 60))
mark end
log "waiting for the generator to finish"
wait "$(cat "$DIR/generator.pid")" 2>/dev/null || true
while pid_alive "$DIR/generator.pid"; do sleep 1; done
TRAFFIC_END=$(now_ms)
log "traffic ended; 60 s for the last checkpoints and deliveries"
sleep 60
touch "$DIR/watch.stop"
wait_until "the soak watch's last poll" 60 - "$DIR/watch.log" bash -c "! kill -0 $(cat "$DIR/watch.pid") 2>/dev/null"
curl -fs "http://127.0.0.1:8081/jobs/$JOB_ID/exceptions?maxExceptions=100" > "$DIR/exceptions.json" || true
for f in "$FLINK_DIR"/log/taskmanager*.out; do cp "$f" "$DIR/console/$(basename "$f")"; done

mkdir -p "$RUN_DIR/chaos"
set +e
devtools_java -Xmx1g io.llmsentinel.devtools.soak.SoakReport --dir "$DIR" \
  --live-start-ms "$LIVE_START" --traffic-end-ms "$TRAFFIC_END" --flat-within "$FLAT_WITHIN" \
  --out "$DIR/soak.txt" 2>"$DIR/report.err"
STATUS=$?
set -e
[ -f "$DIR/soak.txt" ] && cp "$DIR/soak.txt" "$RUN_DIR/chaos/soak.txt"
{ echo; echo "command: scripts/chaos.sh --soak $SOAK --fault-every $EVERY --outage $OUTAGE --pause $PAUSE --tm-down $TM_DOWN --faults $FAULTS --rate $RATE --history $HISTORY --settle $SETTLE; run $RUN, job $JOB_ID"; } \
  | tee -a "$RUN_DIR/chaos/soak.txt"
[ "$STATUS" = 0 ] || { tail -n 20 "$DIR/report.err" >&2; exit "$STATUS"; }
