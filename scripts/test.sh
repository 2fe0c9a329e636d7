#!/usr/bin/env bash
# The whole test suite: installs what it needs (promtool, chromium, the Debian servers), starts the
# local services (Kafka, RabbitMQ, Redis, InfluxDB 1.x), checks the alerting rules, runs the unit
# tests (*Test, surefire) and the integration tests (*ITCase, failsafe; one starts a real Flink
# session cluster, one restarts RabbitMQ mid-stream), and stops what it started.
#   scripts/test.sh [extra maven args]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SERVICES="kafka rabbitmq redis influxdb"
STARTED=$(services_to_stop $SERVICES)   # stop at the end only what this run started
cleanup() {
  if [ -n "${STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $STARTED; fi
}
trap cleanup EXIT
"$ROOT/scripts/services.sh" up $SERVICES

ensure_command promtool prometheus
ensure_command chromium chromium

log "checking the Prometheus alerting rules (promtool check rules, promtool test rules)"
(cd "$ROOT/conf/prometheus" && promtool check rules llm-sentinel-rules.yaml \
  && promtool test rules llm-sentinel-rules.test.yaml) || die "the alerting rules failed their checks"

log "running unit and integration tests (mvn verify; the integration tests start a Flink cluster)"
cd "$ROOT"
SENTINEL_KAFKA_BOOTSTRAP=127.0.0.1:9092 mvn -B verify "$@"
log "all tests passed; screenshots in job/target/screenshots and query-api/target/screenshots"
