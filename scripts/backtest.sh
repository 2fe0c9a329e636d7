#!/usr/bin/env bash
# Runs the job's detector code, with the job's configuration, over recorded series and scores it.
#   scripts/backtest.sh --nab-root DIR [--files LIST] [--out OUT] [--config FILE]
#       NAB (a checkout of numenta/NAB, or any folder in its layout: data/, labels/): scores every
#       series (or those in LIST, else DIR/files.txt) and prints the NAB scores; the last line is
#       NAB standard=.. reward_low_FP_rate=.. reward_low_FN_rate=..
#   scripts/backtest.sh --nab-root DIR [--files LIST] --reproduce numenta=69.04/62.18/73.19,null=0/0/0
#       scores published detectors' results (DIR/results/<name>) with this project's scorer and
#       fails unless each reproduces its expected standard/low-FP/low-FN scores to two decimals
#   scripts/backtest.sh --telemetry [--duration SECONDS] [--rate N] [--seed N] [--no-heavy-tail] [--config FILE]
#       generated LLM telemetry with injected incidents, through the reader, detectors and alerts;
#       the generator makes 1 call in 1,000 wait 20-100x its median unless --no-heavy-tail
#   scripts/backtest.sh --corpus DIR [--config FILE]
#       a corpus that real instrumentation libraries made (scripts/corpus.sh --out DIR: one folder
#       per variant with spans.jsonl, incidents.json, calls.json; or one variant's folder) through
#       the job's reader, per-request and windowed detection, quiet start and alert policy, in
#       event-time order; per variant the last line is
#       telemetry incidents_alerted=A/B ... paged=P/B median_page_delay_s=.. alerts_outside_per_hour_per_key=..
#       keys=K requests=N tool_executions=T skipped=... (devtools/corpus/README.md, "Replaying")
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_project
ARGS=("$@")
case " $* " in *" --config "*) ;; *) ARGS+=(--config "$ROOT/conf/sentinel.yaml") ;; esac
devtools_java -Xmx1g io.llmsentinel.devtools.backtest.Backtest "${ARGS[@]}"
