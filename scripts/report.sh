#!/usr/bin/env bash
# Scores a run: injected incidents (the generator's --record file) vs anomalies on Kafka.
#   scripts/report.sh --record FILE [--bootstrap-servers H:P] [--topic sentinel.anomalies]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_project
devtools_java -Xmx256m io.llmsentinel.devtools.generator.IncidentReport "$@"
