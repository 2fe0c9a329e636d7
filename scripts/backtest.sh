#!/usr/bin/env bash
# Runs the job's detector code, with the job's configuration, over recorded series and scores it.
#   scripts/backtest.sh --nab-root DIR --files LIST --out OUT [--config FILE]
#   scripts/backtest.sh --telemetry [--duration SECONDS] [--rate N] [--config FILE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_project
ARGS=("$@")
case " $* " in *" --config "*) ;; *) ARGS+=(--config "$ROOT/conf/sentinel.yaml") ;; esac
exec java -Xmx1g -Dlog4j.configurationFile="$ROOT/conf/log4j-console.properties" \
  -cp "$(local_classpath)" io.llmsentinel.job.backtest.Backtest "${ARGS[@]}"
