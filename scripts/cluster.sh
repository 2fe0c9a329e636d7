#!/usr/bin/env bash
# A real Flink 1.20 standalone session cluster on 127.0.0.1, assembled from Maven jars:
# one JobManager (web UI and REST on http://localhost:8081) and one TaskManager (2 slots; more
# with 'up N'), RocksDB with incremental checkpoints, the Prometheus reporter on 9250-9260.
#   scripts/cluster.sh up [N]          start the JobManager and N TaskManagers (default 1)
#   scripts/cluster.sh down|status
#   scripts/cluster.sh kill-tm [I]     kill -9 TaskManager I (default 1): a crashed machine
#   scripts/cluster.sh start-tm [I]    start TaskManager I (again)
# State lives in .run/flink (checkpoints, savepoints, logs); processes are stopped by PID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

FLINK_DIR="$RUN_DIR/flink"
LIB="$FLINK_DIR/lib"
CONF="$FLINK_DIR/conf"
LOGS="$FLINK_DIR/log"
JM_PID="$FLINK_DIR/jobmanager.pid"
TM_PID="$FLINK_DIR/taskmanager.pid"

# tm_pid I: the PID file of TaskManager I (1 keeps the historical name).
tm_pid() { if [ "$1" = 1 ]; then echo "$TM_PID"; else echo "$FLINK_DIR/taskmanager-$1.pid"; fi; }
tm_log() { if [ "$1" = 1 ]; then echo "$LOGS/taskmanager"; else echo "$LOGS/taskmanager-$1"; fi; }


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

# tms_registered N: N TaskManagers have registered (and fails the wait at once if one died).
tms_registered() {
  local i
  for i in $(seq 1 "$1"); do
    pid_alive "$(tm_pid "$i")" || { tail -n 30 "$(tm_log "$i").log" >&2; die "TaskManager $i died while starting"; }
  done
  local n
  n=$(curl -fsS http://127.0.0.1:8081/overview 2>/dev/null | jq -r '.taskmanagers // 0') || return 1
  [ "${n:-0}" -ge "$1" ]
}

# start_tm I: one TaskManager, its ports shifted by 10 per index so several fit on one machine.
start_tm() {
  local i=$1 tm_params tm_jvm tm_dyn shift_by log_base
  pid_alive "$(tm_pid "$i")" && { log "TaskManager $i already running (pid $(cat "$(tm_pid "$i")"))"; return 0; }
  tm_params=$(bash_java_utils GET_TM_RESOURCE_PARAMS)
  tm_jvm=$(echo "$tm_params" | sed -n 1p)
  tm_dyn=$(echo "$tm_params" | sed -n 2p)
  [ -n "$tm_jvm" ] || die "could not compute the TaskManager memory settings"
  shift_by=$(( (i - 1) * 10 ))
  log_base=$(tm_log "$i")
  log "starting TaskManager $i (log: $log_base.log)"
  # shellcheck disable=SC2086
  nohup java $tm_jvm $JAVA_OPENS -Dlog.file="$log_base.log" \
    -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$LIB/*" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF" $tm_dyn \
    -D taskmanager.rpc.port=$((6122 + shift_by)) -D taskmanager.data.port=$((6121 + shift_by)) \
    -D taskmanager.resource-id="localhost-tm-$i-$(date +%s)" \
    > "$log_base.out" 2>&1 &
  echo $! > "$(tm_pid "$i")"
}

# running_tms: indexes of the TaskManagers with a PID file.
running_tms() {
  local f
  for f in "$FLINK_DIR"/taskmanager*.pid; do
    [ -e "$f" ] || continue
    case "$f" in
      */taskmanager.pid) echo 1 ;;
      *) basename "$f" .pid | sed 's/taskmanager-//' ;;
    esac
  done | sort -n
}

cluster_up() {
  local tms=${1:-1} i
  if pid_alive "$JM_PID"; then
    local all=1
    for i in $(seq 1 "$tms"); do pid_alive "$(tm_pid "$i")" || all=0; done
    if [ $all = 1 ]; then
      log "flink cluster already running (JobManager pid $(cat "$JM_PID"), $tms TaskManager(s))"; return 0
    fi
  fi
  ensure_command curl curl
  ensure_command jq jq
  install_jars "$ROOT/scripts/flink-cluster" "$LIB" "the Flink 1.20 cluster jars"
  write_conf
  if ! pid_alive "$JM_PID"; then
    port_open 8081 && die "port 8081 is taken by another process; stop it first"
    local jm_params
    jm_params=$(bash_java_utils GET_JM_RESOURCE_PARAMS | head -n 1)
    [ -n "$jm_params" ] || die "could not compute the JobManager memory settings"
    log "starting the JobManager (log: $LOGS/jobmanager.log)"
    # shellcheck disable=SC2086
    nohup java $jm_params $JAVA_OPENS -Dlog.file="$LOGS/jobmanager.log" \
      -Dlog4j.configurationFile="file:$CONF/log4j.properties" -cp "$LIB/*" \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
      --configDir "$CONF" --executionMode cluster > "$LOGS/jobmanager.out" 2>&1 &
    echo $! > "$JM_PID"
  fi
  for i in $(seq 1 "$tms"); do start_tm "$i"; done

  wait_until "$tms TaskManager(s) registered at the JobManager" 120 "$JM_PID" "$LOGS/jobmanager.log" tms_registered "$tms"
  log "flink cluster is up: web UI http://localhost:8081, $tms TaskManager(s) with 2 slots each"
}

kill_tm() {
  local i=${1:-1} f
  f=$(tm_pid "$i")
  pid_alive "$f" || die "TaskManager $i is not running"
  log "kill -9 TaskManager $i (pid $(cat "$f")): a crashed machine"
  kill -9 "$(cat "$f")"
  rm -f "$f"
}

cluster_down() {
  local i
  for i in $(running_tms); do stop_pid "TaskManager $i" "$(tm_pid "$i")" 30; done
  stop_pid JobManager "$JM_PID" 30
}

case "${1:-}" in
  up) cluster_up "${2:-1}" ;;
  down) cluster_down ;;
  kill-tm) kill_tm "${2:-1}" ;;
  start-tm)
    pid_alive "$JM_PID" || die "the JobManager is not running; use 'up'"
    write_conf
    start_tm "${2:-1}"
    wait_until "TaskManager ${2:-1} registered" 120 "$(tm_pid "${2:-1}")" "$(tm_log "${2:-1}").log" \
      http_ok http://127.0.0.1:8081/taskmanagers "localhost-tm-${2:-1}" ;;
  status)
    if pid_alive "$JM_PID"; then echo "flink: JobManager running (pid $(cat "$JM_PID")), http://localhost:8081"; else echo "flink: JobManager stopped"; fi
    tms=$(running_tms)
    [ -n "$tms" ] || echo "flink: TaskManager stopped"
    for i in $tms; do
      if pid_alive "$(tm_pid "$i")"; then echo "flink: TaskManager $i running (pid $(cat "$(tm_pid "$i")"))"; else echo "flink: TaskManager $i stopped"; fi
    done ;;
  *) echo "usage: $0 up [N] | down | status | kill-tm [I] | start-tm [I]" >&2; exit 2 ;;
esac
