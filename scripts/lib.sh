# Shared helpers for the scripts in this folder. Source it; do not run it.
# Everything runs on 127.0.0.1; state lives under $RUN_DIR (default: <repo>/.run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="${SENTINEL_RUN_DIR:-$ROOT/.run}"
mkdir -p "$RUN_DIR"

# The add-opens/add-exports list of Flink's default config.yaml: Flink's JVMs need it on JDK 17.
JAVA_OPENS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# port_open PORT: true when something accepts connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive PIDFILE: true when the file names a running process.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_until WHAT TIMEOUT PIDFILE LOG COMMAND...: runs COMMAND every half second until it succeeds.
# Fails, showing the end of LOG, as soon as the process in PIDFILE dies (waiting on a port alone
# hangs when the JVM behind it died) or after TIMEOUT seconds. PIDFILE may be "-" for none.
wait_until() {
  local what=$1 timeout=$2 pidfile=$3 logfile=$4 ticks=0; shift 4
  until "$@"; do
    if [ "$pidfile" != - ] && ! pid_alive "$pidfile"; then
      echo "---- last lines of $logfile ----" >&2; tail -n 30 "$logfile" >&2 || true
      die "the process died before $what (log: $logfile)"
    fi
    if [ "$ticks" -ge $((timeout * 2)) ]; then
      die "no $what within ${timeout}s (log: $logfile)"
    fi
    sleep 0.5; ticks=$((ticks + 1))
  done
}

# wait_for_port NAME PORT PIDFILE TIMEOUT LOG: waits for the port while the process lives.
wait_for_port() { wait_until "$1 on port $2" "$4" "$3" "$5" port_open "$2"; }

# http_ok URL [PATTERN]: true when URL answers 2xx (and its body matches PATTERN, if given).
http_ok() {
  local body
  body=$(curl -fs --max-time 5 "$1" 2>/dev/null) || return 1
  [ -z "${2:-}" ] || grep -Eq "$2" <<<"$body"
}

# stop_pid NAME PIDFILE [TIMEOUT]: SIGTERM, wait, then SIGKILL; only the recorded PID.
stop_pid() {
  local name=$1 pidfile=$2 timeout=${3:-30} pid waited=0
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$waited" -ge "$timeout" ]; then
        log "$name did not stop in ${timeout}s; killing pid $pid"
        kill -9 "$pid" 2>/dev/null || true
        break
      fi
      sleep 1; waited=$((waited + 1))
    done
  fi
  rm -f "$pidfile"
}

# services_to_stop SERVICE...: those of SERVICE... that scripts/services.sh does not report as
# running now, i.e. the ones a script starts and must stop again when it ends.
services_to_stop() {
  local status s out=""
  status=$("$ROOT/scripts/services.sh" status)   # grep on a variable: pipefail-safe
  for s in "$@"; do grep -q "^$s: running" <<<"$status" || out="$out $s"; done
  echo "$out"
}

# install_jars POM_DIR DEST WHAT: the runtime dependencies of POM_DIR/pom.xml from Maven Central
# into DEST, once (a marker file records a complete download).
install_jars() {
  local pom_dir=$1 dest=$2 what=$3
  [ -f "$dest/.complete" ] && return 0
  log "installing $what from Maven Central into $dest (first run only)"
  rm -rf "$dest"; mkdir -p "$dest"
  (cd "$pom_dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dest" \
      -DincludeScope=runtime) || die "could not fetch $what"
  touch "$dest/.complete"
}

# build_project: builds the jars once (skipping tests) unless they are newer than the sources.
build_project() {
  local jar="$ROOT/job/target/sentinel-job.jar"
  if [ -f "$jar" ] && [ -f "$ROOT/job/target/local-classpath-runtime.txt" ] && \
     [ -f "$ROOT/devtools/tools/target/classpath.txt" ] && \
     [ -z "$(find "$ROOT" -path "$ROOT/.run" -prune -o \( -name '*.java' -o -name 'pom.xml' \) -newer "$jar" -print -quit)" ]; then
    return 0
  fi
  log "building LLM-Sentinel (mvn install, tests skipped; the first build downloads dependencies)"
  (cd "$ROOT" && mvn -B -q install -DskipTests) || die "build failed"
}

# The classpath of a local Flink plus the job (for --local runs of the job).
local_classpath() {
  echo "$ROOT/job/target/sentinel-job-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/job/target/local-classpath.txt"):$(cat "$ROOT/job/target/local-classpath-runtime.txt")"
}

# devtools_java [JVM options] CLASS ARGS...: runs a dev tool (generator, report, backtest, demo
# receivers, test servers) from devtools/ on its own classpath, never the job's, in the foreground.
devtools_java() {
  java $JAVA_OPENS -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
    -cp "$ROOT/devtools/tools/target/sentinel-devtools-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/devtools/tools/target/classpath.txt")" "$@"
}

# devtools_spawn LOG PIDFILE [JVM options] CLASS ARGS...: the same in the background, output to
# LOG ("-": this terminal); PIDFILE gets the JVM's own PID (the subshell execs into it), so
# stop_pid stops the JVM itself.
devtools_spawn() {
  local logfile=$1 pidfile=$2; shift 2
  if [ "$logfile" = - ]; then
    ( exec java $JAVA_OPENS -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
        -cp "$ROOT/devtools/tools/target/sentinel-devtools-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/devtools/tools/target/classpath.txt")" "$@" ) &
  else
    ( exec java $JAVA_OPENS -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
        -cp "$ROOT/devtools/tools/target/sentinel-devtools-0.1.0-SNAPSHOT.jar:$(cat "$ROOT/devtools/tools/target/classpath.txt")" "$@" ) \
      > "$logfile" 2>&1 &
  fi
  echo $! > "$pidfile"
}

# ensure_command COMMAND PACKAGE: installs the Debian package when the command is missing.
ensure_command() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  ensure_package "$pkg"
}

# ensure_package PACKAGE: installs a Debian package (services are never started by the package:
# policy-rc.d forbids it, so only our scripts start servers, on 127.0.0.1).
ensure_package() {
  local pkg=$1
  dpkg -s "$pkg" >/dev/null 2>&1 && return 0
  log "installing $pkg from Debian's packages"
  if [ ! -f /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  fi
  if [ ! -f "$RUN_DIR/.apt-updated" ]; then
    apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed"
    touch "$RUN_DIR/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 \
    || die "could not install $pkg"
}
