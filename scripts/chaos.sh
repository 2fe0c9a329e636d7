#!/usr/bin/env bash
# The long fault runs that scripts/test.sh keeps short: each output's server away for 10 minutes
# while live telemetry with incidents flows through the whole job (OutputOutageITCase, one output
# at a time), and a TaskManager of the local session cluster killed with kill -9 mid-stream
# (ClusterRobustnessITCase). Prints per case: restarts, anomalies produced during the outage,
# missing and duplicate ids at each output after recovery, and the longest delivery delay.
#   scripts/chaos.sh [--minutes N] [--cases influxdb,rabbitmq,webhook,redis,taskmanager]
# Takes about N+3 minutes per output case. Installs and starts what it needs, like test.sh.
#   scripts/chaos.sh --soak SECONDS [...]   the soak on the local session cluster: every output
#                                           on, one fault after another; see scripts/soak.sh
set -euo pipefail
for arg in "$@"; do
  if [ "$arg" = --soak ]; then exec "$(dirname "$0")/soak.sh" "$@"; fi
done
source "$(dirname "$0")/lib.sh"

MINUTES=10
CASES="influxdb,rabbitmq,webhook,redis,taskmanager"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2 ;;
    --cases) CASES=$2; shift 2 ;;
    *) die "usage: $0 [--minutes N] [--cases influxdb,rabbitmq,webhook,redis,taskmanager]" ;;
  esac
done

SERVICES="kafka rabbitmq redis influxdb"
STARTED=$(services_to_stop $SERVICES)
cleanup() {
  if [ -n "${STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $STARTED; fi
}
trap cleanup EXIT
"$ROOT/scripts/services.sh" up $SERVICES

cd "$ROOT"
log "building the job (tests compiled, not run)"
mvn -B -q install -DskipTests
OUT="$RUN_DIR/chaos"
mkdir -p "$OUT"
RESULTS="$OUT/results.txt"
: > "$RESULTS"

# run_case NAME MAVEN-ARGS...: one failsafe run; its summary line goes to the results.
run_case() {
  local name=$1; shift
  local logf="$OUT/$name.log" started=$SECONDS
  log "case $name: running (log: $logf)"
  # the outage lasts MINUTES: the test may take that long plus some (the suite's limit is 8 min)
  if SENTINEL_KAFKA_BOOTSTRAP=127.0.0.1:9092 mvn -B -o -pl job verify -Dtest=none \
      -Dit.timeout="$((MINUTES + 10)) m" -Dit.fork.timeout="$(((MINUTES + 20) * 60))" \
      -Dsurefire.failIfNoSpecifiedTests=false "$@" > "$logf" 2>&1; then
    status=passed
  else
    status=FAILED
  fi
  local line
  line=$(grep -E "^(outage .* for [0-9]+ s:|killed TaskManager:)" "$logf" | tail -n 1 || true)
  [ -n "$line" ] || line="no summary (see $logf)"
  echo "$name|$status|$(( SECONDS - started ))|$line" >> "$RESULTS"
  log "case $name: $status in $(( SECONDS - started )) s: $line"
}

IFS=, read -r -a cases <<< "$CASES"
for c in "${cases[@]}"; do
  case "$c" in
    influxdb|rabbitmq|webhook|redis)
      run_case "$c" -Dit.test=OutputOutageITCase \
        -Dsentinel.outage.seconds=$(( MINUTES * 60 )) -Dsentinel.outage.outputs="$c" ;;
    taskmanager)
      run_case "$c" -Dit.test='ClusterRobustnessITCase#aKilledTaskManagerLosesNoAnomalyAndNoAlert' ;;
    *) die "unknown case '$c'" ;;
  esac
done

# field LINE KEY: the value of KEY=... in a summary line, or -.
field() { grep -oE "(^| )$2=[^ ]+" <<<"$1" | head -n 1 | cut -d= -f2 || true; }

echo
echo "chaos run, $MINUTES min per output outage ($(date -u +%Y-%m-%dT%H:%MZ))"
fmt='%-12s %-7s %-9s %-18s %-16s %-28s %-28s %-12s\n'
printf "$fmt" case result restarts anomalies_during alerts_during missing duplicates max_delay_s
while IFS='|' read -r name status secs line; do
  if [ "$name" = taskmanager ]; then
    printf "$fmt" "$name" "$status" "$(field "$line" restarts)" - - \
      "kafka $(field "$line" kafka_missing), rabbitmq $(field "$line" rabbitmq_missing)" \
      "kafka $(field "$line" kafka_duplicates), rabbitmq $(field "$line" rabbitmq_duplicates)" -
    continue
  fi
  case "$name" in
    influxdb) m="influxdb $(field "$line" influx_missing)"; d="influxdb 0 (overwrites)" ;;
    rabbitmq) m="rabbitmq $(field "$line" rabbitmq_missing)"; d="rabbitmq $(field "$line" rabbitmq_duplicates)" ;;
    webhook) m="webhook $(field "$line" webhook_missing)"; d="webhook $(field "$line" webhook_duplicates)" ;;
    redis) m="redis current $(field "$line" redis_services_current)"; d="-" ;;
  esac
  printf "$fmt" "$name" "$status" "$(field "$line" restarts)" \
    "$(field "$line" anomalies_during_outage)" "$(field "$line" alerts_during_outage)" "$m" "$d" \
    "$(field "$line" max_delivery_delay_s)"
done < "$RESULTS"
echo
echo "summary lines: $RESULTS; logs: $OUT/"
grep -q '|FAILED|' "$RESULTS" && die "a chaos case failed" || true
