#!/usr/bin/env bash
# Latency of the query API's main endpoints under load, measured with wrk (Debian's), against the
# real servers: InfluxDB 1.x behind the InfluxDB 3 wire translator, and Redis. Loads 20 minutes
# of sample data (the job's reader and detectors over generated telemetry) into a fresh database,
# starts the service, runs wrk per endpoint, prints requests/s and latency percentiles, and stops
# what it started.
#   scripts/bench-query-api.sh [--connections N] [--seconds S]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONNECTIONS=8
SECONDS_EACH=10
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --seconds) SECONDS_EACH="$2"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
ensure_command wrk wrk
ensure_command curl curl
build_project

BENCH_DIR="$RUN_DIR/bench-query-api"
mkdir -p "$BENCH_DIR"
API_PID="$BENCH_DIR/query-api.pid"
STARTED=$(services_to_stop redis influxdb influx-translator)
cleanup() {
  stop_pid "query API" "$API_PID" 20
  if [ -n "${STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $STARTED; fi
}
trap cleanup EXIT
"$ROOT/scripts/services.sh" up redis influxdb influx-translator

DB="bench_$(date +%s)"
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=CREATE DATABASE $DB" >/dev/null
devtools_java -Xmx512m io.llmsentinel.devtools.sample.SampleData \
  --influxdb http://127.0.0.1:8181 --database "$DB" --minutes 20

port_open 8080 && die "port 8080 is taken"
TOKEN="bench-$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
SENTINEL_QUERY_API_TOKEN_HASHES="$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)" \
SENTINEL_SINKS_INFLUXDB_DATABASE="$DB" \
  nohup java -Xmx512m $JAVA_OPENS -jar "$ROOT/query-api/target/sentinel-query-api.jar" \
  --config "$ROOT/conf/sentinel.yaml" > "$BENCH_DIR/query-api.log" 2>&1 &
echo $! > "$API_PID"
wait_until "query API answering /health/live" 60 "$API_PID" "$BENCH_DIR/query-api.log" \
  http_ok http://127.0.0.1:8080/health/live

FROM=$(date -u -d '-40 min' +%Y-%m-%dT%H:%M:%SZ)
log "wrk: $CONNECTIONS connections, 2 threads, ${SECONDS_EACH}s per endpoint (cache TTL 5 s: most answers are cache hits, as for a dashboard)"
printf '%-70s %10s %9s %9s %9s\n' endpoint "req/s" p50 p90 p99
for path in "/health/live" \
            "/api/v1/anomalies?limit=100&from=$FROM" \
            "/api/v1/anomalies?service=support-bot&severity=medium&limit=50&from=$FROM" \
            "/api/v1/telemetry?interval=1m&from=$FROM" \
            "/api/v1/baselines?service=support-bot" \
            "/api/v1/services"; do
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:8080$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p90=$(awk '$1=="90%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-70s %10s %9s %9s %9s%s\n' "${path:0:70}" "$rps" "$p50" "$p90" "$p99" "${non2xx:+  non-2xx: $non2xx}"
done
# One uncached query per call: a fresh 'to' each time defeats both caches.
log "uncached: 20 sequential /api/v1/anomalies?limit=100 with a new time range each (InfluxDB through Flight every time)"
total=0
for i in $(seq 1 20); do
  t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:8080/api/v1/anomalies?limit=100&from=$FROM&to=$(date -u -d "-$i sec" +%Y-%m-%dT%H:%M:%SZ)")
  total=$(awk -v a="$total" -v b="$t" 'BEGIN {print a + b}')
done
log "uncached mean: $(awk -v t="$total" 'BEGIN {printf "%.1f ms", t / 20 * 1000}')"
curl -fs -XPOST http://127.0.0.1:8086/query --data-urlencode "q=DROP DATABASE $DB" >/dev/null
