#!/usr/bin/env bash
# Sends generated OTLP/JSON LLM telemetry to Kafka, with incidents injected on demand.
#   scripts/generate.sh [--rate N] [--duration S] [--fast] [--incident latency_spike@40+20] ...
#                       [--bad-every N] [--record FILE] [--bootstrap-servers H:P] [--topic T]
# See io.llmsentinel.devtools.generator.GeneratorMain for every option.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_project
devtools_java -Xmx512m io.llmsentinel.devtools.generator.GeneratorMain "$@"
