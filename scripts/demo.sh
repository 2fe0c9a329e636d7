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
  if [ -n "${SERVICES_STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $SERVICES_STARTED; fi
  log "demo stopped; logs are in $DEMO_DIR"
}
trap cleanup INT TERM EXIT

ensure_command curl curl
ensure_command jq jq
build_project
SERVICES_STARTED=$(services_to_stop kafka rabbitmq redis influxdb influx-translator)
"$ROOT/scripts/services.sh" up kafka rabbitmq redis influxdb influx-translator

# A fresh InfluxDB database for this run, so the summary counts only this run's points.
DEMO_DB=demo
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=DROP DATABASE $DEMO_DB" >/dev/null
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=CREATE DATABASE $DEMO_DB" >/dev/null \
  || die "could not create the InfluxDB database $DEMO_DB"

# What an alert consumer sees: a durable queue bound to alert.# on the sentinel.alerts exchange.
devtools_spawn "$DEMO_DIR/rabbitmq.log" "$CONSUMER_PID" -Xmx128m \
  io.llmsentinel.devtools.demo.AlertQueueConsumer --purge true
wait_until "RabbitMQ consumer on its queue" 30 "$CONSUMER_PID" "$DEMO_DIR/rabbitmq.log" \
  grep -q "^consuming queue" "$DEMO_DIR/rabbitmq.log"
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
devtools_spawn "$DEMO_WEBHOOK_LOG" "$RECEIVER_PID" -Xmx128m \
  io.llmsentinel.devtools.demo.WebhookReceiver "$WEBHOOK_PORT"
log "webhook receiver on http://127.0.0.1:$WEBHOOK_PORT/hook (verifies each signature; log: $DEMO_DIR/webhooks.log)"

START_MS=$(( $(date +%s) * 1000 ))
# A new key alerts nobody until it has been seen this long (alerts.quiet-start.min-age, 5 min in
# conf/sentinel.yaml): the demo's incidents come after it.
WARMUP=40
log "starting LLM-Sentinel in a local Flink (web UI: http://localhost:8081)"
log "the demo compresses time: rate windows of 10 s judged after 4 windows, 2 s of allowed disorder, alerts resolved after 20 s without anomalies, a new key alerts after 40 s (conf/sentinel.yaml: 1 min, 10 windows, 30 s, 2 min, 3 min, 5 min)"
nohup java -Xmx1g $JAVA_OPENS -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
  -cp "$(local_classpath)" io.llmsentinel.job.SentinelJob \
  --config "$DEMO_DIR/sentinel-demo.yaml" --local "$ROOT/conf/flink" \
  --kafka.starting-offsets timestamp --kafka.starting-timestamp-ms "$START_MS" \
  --kafka.group-id "llm-sentinel-demo" \
  --detection.window-size "10 s" --detection.window-warmup 4 --event-time.max-out-of-orderness "2 s" \
  --alerts.recovery-window "20 s" --alerts.window-recovery-window "20 s" \
  --alerts.quiet-start.min-age "$WARMUP s" \
  --sinks.rabbitmq.enabled true --sinks.influxdb.enabled true --sinks.redis.enabled true \
  --sinks.influxdb.database "$DEMO_DB" \
  > "$DEMO_DIR/anomalies.jsonl" 2> "$DEMO_DIR/job.log" &
echo $! > "$JOB_PID"

wait_until "job RUNNING in the local Flink" 120 "$JOB_PID" "$DEMO_DIR/job.log" \
  http_ok http://127.0.0.1:8081/jobs/overview '"state":"RUNNING"'
log "job RUNNING; open http://localhost:8081 to watch it"

# The side service beside the job, with a token made for this run (only its hash is configured).
port_open 8080 && die "port 8080 is taken; the demo's query API needs it"
QUERY_API_TOKEN="demo-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
QUERY_API_ADMIN_TOKEN="demo-admin-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
SENTINEL_QUERY_API_TOKEN_HASHES="$(printf %s "$QUERY_API_TOKEN" | sha256sum | cut -d' ' -f1)" \
SENTINEL_QUERY_API_ADMIN_TOKEN_HASHES="$(printf %s "$QUERY_API_ADMIN_TOKEN" | sha256sum | cut -d' ' -f1)" \
SENTINEL_SINKS_INFLUXDB_DATABASE="$DEMO_DB" \
  nohup java -Xmx256m $JAVA_OPENS -jar "$ROOT/query-api/target/sentinel-query-api.jar" \
  --config "$DEMO_DIR/sentinel-demo.yaml" > "$DEMO_DIR/query-api.log" 2>&1 &
echo $! > "$QUERY_API_PID"
wait_until "query API answering /health/live" 60 "$QUERY_API_PID" "$DEMO_DIR/query-api.log" \
  http_ok http://127.0.0.1:8080/health/live
log "query API and dashboard: http://127.0.0.1:8080/#token=$QUERY_API_TOKEN (API: Authorization: Bearer $QUERY_API_TOKEN)"

# Print each alert change as it happens, one readable line each (the raw JSON is in
# anomalies.jsonl; every anomaly, and every alert change, also goes to the sentinel.anomalies topic).
# The console sink prefixes each line with the subtask ("1> "); jq reads the JSON after it.
(tail -n +1 -F --pid="$(cat "$JOB_PID")" "$DEMO_DIR/anomalies.jsonl" 2>/dev/null \
  | sed -u 's/^[0-9]*> //' \
  | jq --unbuffered -r 'select(type == "object" and (.record_type == "alert" or .record_type == "audit"))
      | if .record_type == "audit" then "AUDIT \(.outcome) \(.summary)" else
        "ALERT \(.state | ascii_upcase) \(.severity) \(.anomaly_type) \(.service) \(.model) \(.metric)"
        + (if .anomaly then "=\(.anomaly.value) (baseline median \(.anomaly.baseline.median // "-"))"
           else " (lasted \(.duration_ms / 1000) s, peak \(.peak_value), \(.repeats) repeats held back)" end)
        + " at \(.event_time)"
        + (if .state == "opened" and ((.exemplars // []) | length) > 0
           then " exemplar traces \([.exemplars[].trace_id] | join(" "))" else "" end) end' 2>/dev/null) &
PRINTER_PID=$!

if [ -n "$DURATION" ]; then
  GEN_SECONDS=$((DURATION - 15))
else
  GEN_SECONDS=86400
fi
# Incidents of 10 s at fixed fractions of the time between the quiet start and the end, the rest
# normal traffic: a latency spike first (its alert carries the slowest requests' trace ids), then
# an LLM-specific one (the provider rate-limits rag-api: its rate_limited_rate, apart from
# error_rate), a token explosion in the service that will be silenced, an error burst, and a cost
# jump in the latency spike's service, last so that the first incident has resolved before it.
# Without --duration the schedule is that of a 300 s run.
P=$GEN_SECONDS
if [ -z "$DURATION" ]; then P=300; fi
# The last incident ends 25 s before the end: its alerts' recovery window (20 s) ends while
# traffic (and so event time) goes on.
SPAN=$((P - WARMUP - 35))
if [ "$SPAN" -lt 15 ]; then SPAN=15; fi
at() { echo $((WARMUP + SPAN * $1 / 100)); }
LLM_INCIDENT=rate_limited
INCIDENTS=(--incident "latency_spike@$(at 0)+10"
           --incident "$LLM_INCIDENT@$(at 20)+10"
           --incident "token_explosion@$(at 45)+10"
           --incident "error_burst@$(at 65)+10"
           --incident "cost_jump@$(at 100)+10")
# While it runs, a person acknowledges the first open alert and silences the service of a later
# incident (through the query API, which writes to the control topic the job reads): the later
# incident is still found (anomalies, storage) but opens no alert.
api() { curl -s -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "${@:2}"; }
SILENCED=code-assistant
(
  sleep "$(at 30)"
  ALERT_ID=$(api "$QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/alerts \
    | jq -r '[.items[] | select(.state == "open")][0].alert_id // empty')
  if [ -n "$ALERT_ID" ]; then
    api "$QUERY_API_TOKEN" -X POST "http://127.0.0.1:8080/api/v1/anomalies/$ALERT_ID/ack" \
      -d '{"author":"demo-oncall","note":"looking into it"}' >/dev/null \
      && log "ACK alert $ALERT_ID acknowledged by demo-oncall (POST /api/v1/anomalies/$ALERT_ID/ack)"
  else
    log "ACK skipped: no open alert to acknowledge yet"
  fi
  UNTIL=$(date -u -d "+$((P + 60)) seconds" +%Y-%m-%dT%H:%M:%SZ)
  api "$QUERY_API_ADMIN_TOKEN" -X POST http://127.0.0.1:8080/api/v1/silences \
    -d '{"author":"demo-oncall","match":{"service":"'"$SILENCED"'"},"until":"'"$UNTIL"'","reason":"known issue, fix deploying"}' \
    | jq -r '"SILENCE \(.id): service \(.match.service) until \(.until) (POST /api/v1/silences)"' \
    | while read -r line; do log "$line"; done
) &
CONTROL_PID=$!

log "feeding telemetry for ${GEN_SECONDS}s at 20 messages/s (1-6 spans each), one malformed message in 200, and the GenAI metrics of each request (OTLP, every 10 s)"
devtools_spawn - "$GEN_PID" -Xmx512m io.llmsentinel.devtools.generator.GeneratorMain \
  --rate 20 --duration "$GEN_SECONDS" --bad-every 200 --record "$RECORD" --metrics "${INCIDENTS[@]}"
wait "$(cat "$GEN_PID")" || true
wait "$CONTROL_PID" 2>/dev/null || true
rm -f "$GEN_PID"

log "generator finished; letting the job catch up (anomalies and alert changes are committed to Kafka on checkpoints, every 10 s)"
sleep 15
echo
devtools_java -Xmx256m io.llmsentinel.devtools.generator.IncidentReport --record "$RECORD" --window-ms 10000 \
  --config "$DEMO_DIR/sentinel-demo.yaml" || true
log "malformed messages went to the dead-letter topic sentinel.deadletter (see $DEMO_DIR/job.log for the warnings)"
log "webhook receiver (medium and above, one notification per incident): $(grep -c '^WEBHOOK verified  incident.opened' "$DEMO_DIR/webhooks.log" || true) incidents opened, $(grep -c '^WEBHOOK verified  incident.updated' "$DEMO_DIR/webhooks.log" || true) updates and $(grep -c '^WEBHOOK verified  incident.resolved' "$DEMO_DIR/webhooks.log" || true) resolutions verified, $(grep -c '^WEBHOOK REJECTED' "$DEMO_DIR/webhooks.log" || true) rejected"
# What the person paged received for the latency spike and for the LLM-specific incident: the
# incident's alerts, its exemplar traces (the most anomalous requests) and runbook.
for svc in support-bot rag-api; do
  line=$(grep -m1 "^WEBHOOK verified  incident.opened  *[a-z]*  *$svc " "$DEMO_DIR/webhooks.log" || true)
  log "incident.opened for $svc: ${line:-none (see $DEMO_DIR/webhooks.log)}"
done
log "RabbitMQ queue bound to alert.#, resolved.# and incident.# (medium and above): $(grep -c '^RABBITMQ ' "$DEMO_DIR/rabbitmq.log" || true) messages ($(grep -o '^RABBITMQ [a-z]*\.[a-z]*' "$DEMO_DIR/rabbitmq.log" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $3; sep=", "}'))"
influx_count() {
  curl -s -G "http://127.0.0.1:8086/query" --data-urlencode "db=$DEMO_DB" --data-urlencode "q=$1" \
    | jq -r '.results[0].series[0].values[0][1] // 0'
}
log "InfluxDB (through the InfluxDB 3 client): $(influx_count 'SELECT count(score) FROM anomalies') anomalies, $(influx_count 'SELECT count(error) FROM llm_requests') requests stored"
log "query API: $(curl -s -H "Authorization: Bearer $QUERY_API_TOKEN" "http://127.0.0.1:8080/api/v1/anomalies?limit=1000" | jq '.items | length') anomalies in the last 24 h at /api/v1/anomalies, services: $(curl -s -H "Authorization: Bearer $QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/services)"
log "Redis live view: $(redis-cli -h 127.0.0.1 -p 6379 --scan --pattern 'sentinel:baseline:*' | wc -l) baselines, $(redis-cli -h 127.0.0.1 -p 6379 zcard sentinel:index:services) services with recent anomalies"
log "control: $(api "$QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/alerts | jq -r '[.items[] | select(.acknowledged)] | length') alert(s) acknowledged; silenced $SILENCED: its incident's alerts held back ($(api "$QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/alerts | jq -r --arg s "$SILENCED" '[.items[] | select(.service == $s)] | length') alert(s) of it in the last 24 h)"
SILENCE_ID=$(api "$QUERY_API_TOKEN" http://127.0.0.1:8080/api/v1/silences | jq -r --arg s "$SILENCED" '[.items[] | select(.match.service == $s)][0].id // empty')
if [ -n "$SILENCE_ID" ]; then
  api "$QUERY_API_ADMIN_TOKEN" -X DELETE "http://127.0.0.1:8080/api/v1/silences/$SILENCE_ID" >/dev/null \
    && log "silence $SILENCE_ID lifted at the end of the demo (DELETE /api/v1/silences/$SILENCE_ID)"
fi
