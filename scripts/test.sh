#!/usr/bin/env bash
# The whole test suite: starts the local services it needs (Kafka), runs the unit tests
# (*Test, surefire) and the integration tests (*ITCase, failsafe) against them, and stops what
# it started.
#   scripts/test.sh [extra maven args]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STARTED=""
cleanup() {
  if [ -n "$STARTED" ]; then "$ROOT/scripts/services.sh" down; fi
}
trap cleanup EXIT
if ! "$ROOT/scripts/services.sh" status | grep -q running; then STARTED=yes; fi
"$ROOT/scripts/services.sh" up

log "running unit and integration tests (mvn verify)"
cd "$ROOT"
SENTINEL_KAFKA_BOOTSTRAP=127.0.0.1:9092 mvn -B verify "$@"
log "all tests passed"
