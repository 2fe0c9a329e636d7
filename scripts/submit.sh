#!/usr/bin/env bash
# Submits the job to the local cluster (like `flink run -d`) and records the jar and its
# arguments, so scripts/upgrade.sh can bring this version back if an upgrade is refused.
#   scripts/submit.sh [JAR] [job arguments]     (JAR defaults to job/target/sentinel-job.jar)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
FLINK_DIR="$RUN_DIR/flink"

# record_current JAR ARGS...: the version now running, for a later rollback.
record_current() {
  local jar=$1; shift
  cp "$jar" "$FLINK_DIR/current.jar.tmp" && mv "$FLINK_DIR/current.jar.tmp" "$FLINK_DIR/current.jar"
  printf '%s\n' "$@" > "$FLINK_DIR/current.args"
}
if [ "${1:-}" = "--functions-only" ]; then return 0 2>/dev/null || exit 0; fi

JAR="$ROOT/job/target/sentinel-job.jar"
if [ $# -gt 0 ] && [[ "$1" == *.jar ]]; then JAR="$1"; shift; fi
[ -f "$JAR" ] || { build_project; }
OUT=$("$ROOT/scripts/flink.sh" run -d "$JAR" "$@" 2>&1) || { echo "$OUT" >&2; die "submission failed"; }
echo "$OUT" | grep -E "JobID" || true
record_current "$JAR" "$@"
log "submitted $(basename "$JAR"); web UI: http://localhost:8081"
