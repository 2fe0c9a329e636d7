#!/usr/bin/env bash
# Scores a run: injected incidents (the generator's --record file) vs anomalies on Kafka.
#   scripts/report.sh --record FILE [--bootstrap-servers H:P] [--topic sentinel.anomalies]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_project
exec java -Xmx256m -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
  -cp "$(local_classpath)" io.llmsentinel.job.generator.IncidentReport "$@"
