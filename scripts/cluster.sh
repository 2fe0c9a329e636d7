#!/usr/bin/env bash
# A real Flink 1.20 standalone session cluster on 127.0.0.1, assembled from Maven jars:
# one JobManager (web UI and REST on http://localhost:8081) and one TaskManager (2 slots),
# RocksDB with incremental checkpoints, the Prometheus reporter on 9250-9260.
#   scripts/cluster.sh up|down|status
# State lives in .run/flink (checkpoints, savepoints, logs); processes are stopped by PID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FLINK_DIR="$RUN_DIR/flink"
LIB="$FLINK_DIR/lib"
CONF="$FLINK_DIR/conf"
LOGS="$FLINK_DIR/log"
JM_PID="$FLINK_DIR/jobmanager.pid"
TM_PID="$FLINK_DIR/taskmanager.pid"


write_conf() {
  mkdir -p "$CONF" "$LOGS" "$FLINK_DIR/tmp" "$FLINK_DIR/web" "$FLINK_DIR/checkpoints" "$FLINK_DIR/savepoints"
  sed "s|@RUN@|$FLINK_DIR|g" "$ROOT/conf/flink-cluster/config.yaml.template" > "$CONF/config.yaml"
  cp "$ROOT/conf/flink-cluster/log4j.properties" "$CONF/log4j.properties"
  cp "$ROOT/conf/flink-cluster/log4j.properties" "$CONF/log4j-cli.properties"
}

# bash_java_utils COMMAND: the result lines of Flink's BashJavaUtils, as bin/config.sh reads them.
bash_java_utils() {
  java -cp "$LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" \
    2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

# tm_registered: the TaskManager has registered (and fails the wait at once if it died).
tm_registered() {
  pid_alive "$TM_PID" || { tail -n 30 "$LOGS/taskmanager.log" >&2; die "the TaskManager died while starting"; }
  http_ok http://127.0.0.1:8081/overview '"taskmanagers":[1-9]'
}

cluster_up() {
  if pid_alive "$JM_PID" && pid_alive "$TM_PID"; then
    log "flink cluster already running (JobManager pid $(cat "$JM_PID"), TaskManager pid $(cat "$TM_PID"))"; return 0
  fi
  port_open 8081 && die "port 8081 is taken by another process; stop it first"
  ensure_command curl curl
  install_jars "$ROOT/scripts/flink-cluster" "$LIB" "the Flink 1.20 cluster jars"
  write_conf
  local jm_params tm_params tm_jvm tm_dyn
  jm_params=$(bash_java_utils GET_JM_RESOURCE_PARAMS | head -n 1)
  tm_params=$(bash_java_utils GET_TM_RESOURCE_PARAMS)
  tm_jvm=$(echo "$tm_params" | sed -n 1p)
  tm_dyn=$(echo "$tm_params" | sed -n 2p)
  [ -n "$jm_params" ] && [ -n "$tm_jvm" ] || die "could not compute the JobManager/TaskManager memory settings"

  log "starting the JobManager (log: $LOGS/jobmanager.log)"
  # shellcheck disable=SC2086
  nohup java $jm_params $JAVA_OPENS -Dlog.file="$LOGS/jobmanager.log" \
    -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$LIB/*" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$CONF" --executionMode cluster > "$LOGS/jobmanager.out" 2>&1 &
  echo $! > "$JM_PID"
  log "starting the TaskManager (log: $LOGS/taskmanager.log)"
  # shellcheck disable=SC2086
  nohup java $tm_jvm $JAVA_OPENS -Dlog.file="$LOGS/taskmanager.log" \
    -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$LIB/*" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF" $tm_dyn \
    > "$LOGS/taskmanager.out" 2>&1 &
  echo $! > "$TM_PID"

  wait_until "TaskManager registered at the JobManager" 120 "$JM_PID" "$LOGS/jobmanager.log" tm_registered
  log "flink cluster is up: web UI http://localhost:8081, 1 TaskManager with 2 slots"
}

cluster_down() {
  stop_pid TaskManager "$TM_PID" 30
  stop_pid JobManager "$JM_PID" 30
}

case "${1:-}" in
  up) cluster_up ;;
  down) cluster_down ;;
  status)
    if pid_alive "$JM_PID"; then echo "flink: JobManager running (pid $(cat "$JM_PID")), http://localhost:8081"; else echo "flink: JobManager stopped"; fi
    if pid_alive "$TM_PID"; then echo "flink: TaskManager running (pid $(cat "$TM_PID"))"; else echo "flink: TaskManager stopped"; fi ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
