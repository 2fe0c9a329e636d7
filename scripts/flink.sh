#!/usr/bin/env bash
# The Flink CLI (the distribution's bin/flink) against the local cluster of scripts/cluster.sh:
#   scripts/flink.sh run -d job/target/sentinel-job.jar --config conf/sentinel.yaml
#   scripts/flink.sh list | stop --savepointPath file:///... <jobId> | run -d -s <savepoint> ... | cancel <jobId>
set -euo pipefail
source "$(dirname "$0")/lib.sh"
FLINK_DIR="$RUN_DIR/flink"
[ -f "$FLINK_DIR/lib/.complete" ] && [ -f "$FLINK_DIR/conf/config.yaml" ] || die "no local cluster: run scripts/cluster.sh up first"
export FLINK_CONF_DIR="$FLINK_DIR/conf"
exec java $JAVA_OPENS -Dlog.file="$FLINK_DIR/log/flink-cli.log" \
  -Dlog4j.configurationFile="file:$FLINK_DIR/conf/log4j-cli.properties" \
  -cp "$FLINK_DIR/lib/*" org.apache.flink.client.cli.CliFrontend "$@"
