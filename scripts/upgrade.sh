#!/usr/bin/env bash
# Upgrades the running LLM-Sentinel job on the local cluster with a savepoint:
# stop-with-savepoint, then start NEW_JAR from that savepoint. If the new job cannot restore the
# state (an operator's state that no longer maps, an incompatible serializer), the upgrade is
# refused: the new job is cancelled and the previous jar is started again from the same
# savepoint, so nothing learned is lost.
#   scripts/upgrade.sh [--previous-jar OLD_JAR] NEW_JAR [job arguments, e.g. --config conf/sentinel.yaml]
# The previous jar and its arguments default to those recorded by scripts/submit.sh or the last
# successful upgrade (.run/flink/current.jar, current.args). On a real installation the steps are:
#   flink stop --savepointPath s3://bucket/savepoints <jobId>
#   flink run -d -s <savepoint path> new-sentinel-job.jar --config sentinel.yaml
set -euo pipefail
source "$(dirname "$0")/lib.sh"
FLINK_DIR="$RUN_DIR/flink"
REST=http://127.0.0.1:8081
PREVIOUS="$FLINK_DIR/current.jar"
if [ "${1:-}" = "--previous-jar" ]; then PREVIOUS="$2"; shift 2; fi
NEW_JAR="${1:-}"; [ -n "$NEW_JAR" ] || die "usage: $0 [--previous-jar OLD_JAR] NEW_JAR [job arguments]"
shift
[ -f "$NEW_JAR" ] || die "no such jar: $NEW_JAR"
FLINK="$ROOT/scripts/flink.sh"
source "$ROOT/scripts/submit.sh" --functions-only

ensure_command jq jq

running_job() {
  curl -fs "$REST/jobs/overview" | jq -r '[.jobs[] | select(.state == "RUNNING") | .jid]
    | if length == 1 then .[0] elif length == 0 then "" else "MANY" end'
}

# healthy JOB_ID SECONDS: all tasks RUNNING and no exception for SECONDS after they first are.
healthy() {
  local jid=$1 seconds=$2 waited=0 stable=0
  while [ $waited -lt 90 ]; do
    local state
    state=$(curl -fs "$REST/jobs/$jid" \
      | jq -r '.state + (if all(.vertices[]; .status == "RUNNING") then "-TASKS" else "" end)' \
      2>/dev/null || echo UNKNOWN)
    local failure
    failure=$(curl -fs "$REST/jobs/$jid/exceptions" \
      | jq -r '(."root-exception" // .exceptionHistory.entries[0].stacktrace // "") | (split("\n")[0] // "")' \
      2>/dev/null || true)
    if [ -n "$failure" ]; then
      log "the new job failed: $failure"
      return 1
    fi
    case "$state" in
      RUNNING-TASKS) stable=$((stable + 1)); [ $stable -ge "$seconds" ] && return 0 ;;
      FAILED|CANCELED|FINISHED) log "the new job is $state"; return 1 ;;
      *) stable=0 ;;
    esac
    sleep 1; waited=$((waited + 1))
  done
  log "the new job did not become healthy within 90 s"
  return 1
}

JID=$(running_job)
[ -n "$JID" ] || die "no running job to upgrade (scripts/flink.sh list)"
[ "$JID" != MANY ] || die "more than one running job; stop the others first"
log "stopping job $JID with a savepoint"
OUT=$("$FLINK" stop --savepointPath "file://$FLINK_DIR/savepoints" "$JID" 2>&1) || { echo "$OUT" >&2; die "stop-with-savepoint failed; the job keeps running"; }
SAVEPOINT=$(echo "$OUT" | sed -n 's/.*Savepoint completed. Path: \(.*\)$/\1/p')
[ -n "$SAVEPOINT" ] || { echo "$OUT" >&2; die "no savepoint path in the output"; }
log "savepoint: $SAVEPOINT"

log "starting $(basename "$NEW_JAR") from the savepoint"
if OUT=$("$FLINK" run -d -s "$SAVEPOINT" "$NEW_JAR" "$@" 2>&1); then
  NEW_JID=$(echo "$OUT" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
  if [ -n "$NEW_JID" ] && healthy "$NEW_JID" 10; then
    record_current "$NEW_JAR" "$@"
    log "upgraded: job $NEW_JID runs $(basename "$NEW_JAR") with the state of $JID"
    echo "UPGRADED $NEW_JID $SAVEPOINT"
    exit 0
  fi
  [ -n "$NEW_JID" ] && "$FLINK" cancel "$NEW_JID" >/dev/null 2>&1 || true
else
  log "the new jar was refused at submission: $(echo "$OUT" | grep -E '^Caused by' | tail -n 1 | cut -c1-400)"
fi

log "upgrade REFUSED: the new jar cannot restore the state of $JID"
if [ -f "$PREVIOUS" ]; then
  log "restarting the previous jar from the same savepoint"
  PREVIOUS_ARGS=("$@")
  if [ -f "$FLINK_DIR/current.args" ]; then mapfile -t PREVIOUS_ARGS < "$FLINK_DIR/current.args"; fi
  OUT=$("$FLINK" run -d -s "$SAVEPOINT" "$PREVIOUS" "${PREVIOUS_ARGS[@]}" 2>&1) || { echo "$OUT" >&2; die "could not restart the previous jar; restart it by hand: flink run -d -s $SAVEPOINT <previous jar>"; }
  OLD_JID=$(echo "$OUT" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
  log "the previous version runs again as job $OLD_JID, from $SAVEPOINT"
  echo "REFUSED $OLD_JID $SAVEPOINT"
else
  log "no previous jar known; restart it by hand: scripts/flink.sh run -d -s $SAVEPOINT <previous jar> ..."
  echo "REFUSED - $SAVEPOINT"
fi
exit 1
