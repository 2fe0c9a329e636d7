#!/usr/bin/env bash
# The demo: builds what it needs, starts Kafka, RabbitMQ, Redis and InfluxDB (1.x behind the InfluxDB
# 3 wire translator), runs LLM-Sentinel in a local Flink with the web UI on http://localhost:8081,
# feeds it realistic LLM telemetry with injected incidents, prints each alert as it is found, and
# ends with injected incidents vs anomalies found and what reached each output.
#   scripts/demo.sh [--duration SECONDS]   (without --duration: runs until Ctrl-C)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

DURATION=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    *) die "unknown option $1 (usage: $0 [--duration SECONDS])" ;;
  esac
done
if [ -n "$DURATION" ] && [ "$DURATION" -lt 60 ]; then die "--duration must be at least 60 seconds"; fi

DEMO_DIR="$RUN_DIR/demo"
rm -rf "$DEMO_DIR"; mkdir -p "$DEMO_DIR"
JOB_PID="$DEMO_DIR/job.pid"
GEN_PID="$DEMO_DIR/generator.pid"
RECEIVER_PID="$DEMO_DIR/webhook-receiver.pid"
CONSUMER_PID="$DEMO_DIR/rabbitmq-consumer.pid"
QUERY_API_PID="$DEMO_DIR/query-api.pid"
RECORD="$DEMO_DIR/incidents.jsonl"
SERVICES_STARTED=""

cleanup() {
  trap - INT TERM EXIT
  echo
  log "stopping the demo"
  stop_pid generator "$GEN_PID" 10
  stop_pid "LLM-Sentinel job" "$JOB_PID" 30
  stop_pid "webhook receiver" "$RECEIVER_PID" 10
  stop_pid "RabbitMQ consumer" "$CONSUMER_PID" 10
  stop_pid "query API" "$QUERY_API_PID" 20
  [ -f "$DEMO_DIR/webhooks.log" ] && tail -n 1 "$DEMO_DIR/webhooks.log" | grep -E "^webhook receiver:" || true
  [ -f "$DEMO_DIR/rabbitmq.log" ] && grep -E "^rabbitmq consumer:" "$DEMO_DIR/rabbitmq.log" || true
  [ -n "${PRINTER_PID:-}" ] && kill "$PRINTER_PID" 2>/dev/null || true
  if [ -n "$SERVICES_STARTED" ]; then "$ROOT/scripts/services.sh" down
  elif [ -n "${TRANSLATOR_STARTED:-}" ]; then "$ROOT/scripts/services.sh" down influx-translator; fi
  log "demo stopped; logs are in $DEMO_DIR"
}
trap cleanup INT TERM EXIT

ensure_command curl curl
build_project
STATUS=$("$ROOT/scripts/services.sh" status)   # grep on a variable: pipefail-safe
if ! grep -q running <<<"$STATUS"; then SERVICES_STARTED=yes; fi
TRANSLATOR_STARTED=""
grep -q "^influx-translator: running" <<<"$STATUS" || TRANSLATOR_STARTED=yes
"$ROOT/scripts/services.sh" up kafka rabbitmq redis influxdb influx-translator

# A fresh InfluxDB database for this run, so the summary counts only this run's points.
DEMO_DB=demo
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=DROP DATABASE $DEMO_DB" >/dev/null
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=CREATE DATABASE $DEMO_DB" >/dev/null \
  || die "could not create the InfluxDB database $DEMO_DB"

# What an alert consumer sees: a durable queue bound to alert.# on the sentinel.alerts exchange.
java -Xmx128m -cp "$(local_classpath)" io.llmsentinel.job.devtools.AlertQueueConsumer --purge true \
  > "$DEMO_DIR/rabbitmq.log" 2>&1 &
echo $! > "$CONSUMER_PID"
waited=0
until grep -q "^consuming queue" "$DEMO_DIR/rabbitmq.log" 2>/dev/null; do
  pid_alive "$CONSUMER_PID" || { cat "$DEMO_DIR/rabbitmq.log" >&2; die "the RabbitMQ consumer died"; }
  [ $waited -lt 60 ] || die "the RabbitMQ consumer did not start"
  sleep 0.5; waited=$((waited + 1))
done
log "RabbitMQ queue sentinel.demo.alerts bound to alert.# (log: $DEMO_DIR/rabbitmq.log)"

# A local webhook receiver that checks every signature; the job delivers alerts to it (and also
# to SENTINEL_WEBHOOK_URL with SENTINEL_WEBHOOK_SECRET, when you set them).
WEBHOOK_PORT=8099
DEMO_WEBHOOK_LOG="$DEMO_DIR/webhooks.log"
DEMO_WEBHOOK_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export DEMO_WEBHOOK_SECRET
sed '/^sinks:/a\
  webhooks:\
    - name: demo-receiver\
      url: http://127.0.0.1:'"$WEBHOOK_PORT"'/hook\
      secrets: ["${env:DEMO_WEBHOOK_SECRET}"]' "$ROOT/conf/sentinel.yaml" > "$DEMO_DIR/sentinel-demo.yaml"
port_open $WEBHOOK_PORT && die "port $WEBHOOK_PORT is taken; the demo's webhook receiver needs it"
java -Xmx128m -cp "$(local_classpath)" io.llmsentinel.job.generator.WebhookReceiver \
  "$WEBHOOK_PORT" > "$DEMO_WEBHOOK_LOG" 2>&1 &
echo $! > "$RECEIVER_PID"
log "webhook receiver on http://127.0.0.1:$WEBHOOK_PORT/hook (verifies each signature; log: $DEMO_DIR/webhooks.log)"

START_MS=$(( $(date +%s) * 1000 ))
log "starting LLM-Sentinel in a local Flink (web UI: http://localhost:8081)"
log "the demo compresses time: rate windows of 10 s judged after 4 windows, 2 s of allowed disorder (conf/sentinel.yaml: 1 min, 10 windows, 30 s)"
nohup java -Xmx1g $JAVA_OPENS -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
  -cp "$(local_classpath)" io.llmsentinel.job.SentinelJob \
  --config "$DEMO_DIR/sentinel-demo.yaml" --local "$ROOT/conf/flink" \
  --kafka.starting-offsets timestamp --kafka.starting-timestamp-ms "$START_MS" \
  --kafka.group-id "llm-sentinel-demo" \
  --detection.window-size "10 s" --detection.window-warmup 4 --event-time.max-out-of-orderness "2 s" \
  --sinks.rabbitmq.enabled true --sinks.influxdb.enabled true --sinks.redis.enabled true \
  --sinks.influxdb.database "$DEMO_DB" \
  > "$DEMO_DIR/anomalies.jsonl" 2> "$DEMO_DIR/job.log" &
echo $! > "$JOB_PID"

waited=0
until curl -fs http://127.0.0.1:8081/jobs/overview 2>/dev/null | grep -q '"state":"RUNNING"'; do
  pid_alive "$JOB_PID" || { tail -n 40 "$DEMO_DIR/job.log" >&2; die "the job died while starting (log: $DEMO_DIR/job.log)"; }
  [ $waited -lt 120 ] || die "the job did not reach RUNNING in 120 s (log: $DEMO_DIR/job.log)"
  sleep 1; waited=$((waited + 1))
done
log "job RUNNING; open http://localhost:8081 to watch it"

# The side service beside the job, with a token made for this run (only its hash is configured).
port_open 8080 && die "port 8080 is taken; the demo's query API needs it"
QUERY_API_TOKEN="demo-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
SENTINEL_QUERY_API_TOKEN_HASHES="$(printf %s "$QUERY_API_TOKEN" | sha256sum | cut -d' ' -f1)" \
SENTINEL_INFLUXDB_DATABASE="$DEMO_DB" \
  nohup java -Xmx256m $JAVA_OPENS -jar "$ROOT/query-api/target/sentinel-query-api.jar" \
  --config "$DEMO_DIR/sentinel-demo.yaml" > "$DEMO_DIR/query-api.log" 2>&1 &
echo $! > "$QUERY_API_PID"
waited=0
until curl -fs http://127.0.0.1:8080/health/live >/dev/null 2>&1; do
  pid_alive "$QUERY_API_PID" || { tail -n 20 "$DEMO_DIR/query-api.log" >&2; die "the query API died while starting"; }
  [ $waited -lt 60 ] || die "the query API did not start in 60 s (log: $DEMO_DIR/query-api.log)"
  sleep 0.5; waited=$((waited + 1))
done
log "query API and dashboard: http://127.0.0.1:8080/#token=$QUERY_API_TOKEN (API: Authorization: Bearer $QUERY_API_TOKEN)"

# Print each alert (deduplicated anomaly) as it arrives, one readable line each (the raw JSON is
# in anomalies.jsonl; every anomaly also goes to the sentinel.anomalies topic).
(tail -n +1 -F --pid="$(cat "$JOB_PID")" "$DEMO_DIR/anomalies.jsonl" 2>/dev/null | while IFS= read -r line; do
  json="${line#*> }"
  sev=$(sed -n 's/.*"severity":"\([a-z]*\)".*/\1/p' <<<"$json")
  type=$(sed -n 's/.*"anomaly_type":"\([a-z_]*\)".*/\1/p' <<<"$json")
  svc=$(sed -n 's/.*"service":"\([^"]*\)".*/\1/p' <<<"$json")
  model=$(sed -n 's/.*"model":"\([^"]*\)".*/\1/p' <<<"$json")
  metric=$(sed -n 's/.*"metric":"\([a-z_]*\)".*/\1/p' <<<"$json")
  value=$(sed -n 's/.*"value":\([-0-9.eE]*\).*/\1/p' <<<"$json")
  mean=$(sed -n 's/.*"baseline":{"mean":\([-0-9.eE]*\).*/\1/p' <<<"$json")
  t=$(sed -n 's/.*"event_time":"\([^"]*\)".*/\1/p' <<<"$json")
  sup=$(sed -n 's/.*"suppressed_before":\([0-9]*\).*/\1/p' <<<"$json")
  printf 'ALERT %-8s %-18s %-18s %-30s %s=%.6g (baseline mean %.6g) at %s%s\n' \
    "$sev" "$type" "$svc" "$model" "$metric" "$value" "${mean:-0}" "$t" \
    "$([ "${sup:-0}" -gt 0 ] && echo " (+$sup similar suppressed)")"
done) &
PRINTER_PID=$!

if [ -n "$DURATION" ]; then
  GEN_SECONDS=$((DURATION - 15))
else
  GEN_SECONDS=86400
fi
# Incidents at fixed fractions of the run, each long enough to see; the rest is normal traffic.
P=$GEN_SECONDS
INCIDENTS=(--incident "latency_spike@$((P * 30 / 100))+10"
           --incident "token_explosion@$((P * 50 / 100))+10"
           --incident "cost_jump@$((P * 65 / 100))+10"
           --incident "error_burst@$((P * 80 / 100))+10")
if [ -z "$DURATION" ]; then
  INCIDENTS=(--incident "latency_spike@60+10" --incident "token_explosion@120+10"
             --incident "cost_jump@180+10" --incident "error_burst@240+10")
fi
log "feeding telemetry for ${GEN_SECONDS}s at 20 messages/s (1-6 spans each), one malformed message in 200"
java -Xmx512m -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" -cp "$(local_classpath)" \
  io.llmsentinel.job.generator.GeneratorMain --rate 20 --duration "$GEN_SECONDS" --bad-every 200 \
  --record "$RECORD" "${INCIDENTS[@]}" &
echo $! > "$GEN_PID"
wait "$(cat "$GEN_PID")" || true
rm -f "$GEN_PID"

log "generator finished; letting the job catch up (anomalies are committed to Kafka on checkpoints, every 10 s)"
sleep 15
echo
java -Xmx256m -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" -cp "$(local_classpath)" \
  io.llmsentinel.job.generator.IncidentReport --record "$RECORD" || true
log "malformed messages went to the dead-letter topic sentinel.deadletter (see $DEMO_DIR/job.log for the warnings)"
log "alerts delivered to the webhook receiver: $(grep -c '^WEBHOOK verified' "$DEMO_DIR/webhooks.log" || true) verified, $(grep -c '^WEBHOOK REJECTED' "$DEMO_DIR/webhooks.log" || true) rejected"
log "alerts on the RabbitMQ queue bound to alert.#: $(grep -c '^RABBITMQ ' "$DEMO_DIR/rabbitmq.log" || true) ($(grep -o '^RABBITMQ alert\.[a-z]*' "$DEMO_DIR/rabbitmq.log" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}'))"
influx_count() {
  curl -s -G "http://127.0.0.1:8086/query" --data-urlencode "db=$DEMO_DB" --data-urlencode "q=$1" \
    | sed -n 's/.*"values":\[\[[^,]*,\([0-9]*\)\]\].*/\1/p'
}
log "InfluxDB (through the InfluxDB 3 client): $(influx_count 'SELECT count(score) FROM anomalies') anomalies, $(influx_count 'SELECT count(error) FROM llm_requests') requests stored"
log "query API: $(curl -s -H "Authorization: Bearer $QUERY_API_TOKEN" "http://127.0.0.1:8080/api/v1/anomalies?limit=1000" | grep -o '"anomaly_id"' | wc -l) anomalies in the last 24 h at /api/v1/anomalies, services: $(curl -s -H "Authorization: Bearer $QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/services)"
log "Redis live view: $(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'sentinel:baseline:*' | wc -l) baselines, $(redis-cli -h 127.0.0.1 -p 6379 scard sentinel:services) services with recent anomalies"
