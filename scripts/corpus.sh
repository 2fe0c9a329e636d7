#!/usr/bin/env bash
# A corpus of LLM telemetry made by real instrumentation libraries: the real `openai` npm client
# instrumented by OpenTelemetry JS, OpenLLMetry and OpenInference, and the Vercel AI SDK's own
# telemetry, each against a loopback fake OpenAI server (heavy-tailed latency, 429s, scripted
# incidents), spans exported by the OTLP/HTTP JSON exporter, one ExportTraceServiceRequest per line.
#   scripts/corpus.sh [--out DIR] [--duration S] [--variants otel,openllmetry,openinference,ai-sdk,jvm]
#                     [--seed N] [--rate-min R] [--rate-max R] [--plan default|sample] [--tools-share X]
#                     [--lead S]
# Writes DIR/<variant>/{spans.jsonl,incidents.json,calls.json} and DIR/manifest.json (default DIR:
# .run/corpus). The variants run in parallel, each with its own fake server and incident plan.
# "jvm" runs devtools/corpus/jvm/generate.sh (its own variants, e.g. DIR/spring-ai) when it exists.
# See devtools/corpus/README.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CORPUS="$ROOT/devtools/corpus"
OUT="$RUN_DIR/corpus"
DURATION=1200
VARIANTS="otel,openllmetry,openinference,ai-sdk,jvm"
SEED=42
RATE_MIN=1
RATE_MAX=4
PLAN=default
TOOLS_SHARE=0.15
# Seconds between starting the processes and the first call: every worker must have loaded its
# libraries by then (several seconds each on a busy 2-core machine), so that all keys start fresh
# together and the incident windows sit where the plan put them.
LEAD=60
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --variants) VARIANTS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --rate-min) RATE_MIN=$2; shift 2 ;;
    --rate-max) RATE_MAX=$2; shift 2 ;;
    --plan) PLAN=$2; shift 2 ;;
    --tools-share) TOOLS_SHARE=$2; shift 2 ;;
    --lead) LEAD=$2; shift 2 ;;
    -h|--help) sed -n "2,13p" "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$DURATION" =~ ^[0-9]+$ ]] || die "--duration must be whole seconds"
[[ "$SEED" =~ ^-?[0-9]+$ ]] || die "--seed must be an integer"

command -v node >/dev/null 2>&1 || die "Node.js 20.6 or newer is needed (apt-get install nodejs npm)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=6)?0:1)' \
  || die "Node.js 20.6 or newer is needed, found $(node --version)"

# The JS packages, exactly as the lock file pins them (npm ci), once per lock file change.
JS="$CORPUS/js"
if ! cmp -s "$JS/package-lock.json" "$JS/node_modules/.corpus-lock" 2>/dev/null; then
  log "installing the corpus's npm packages from package-lock.json (npm ci)"
  (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $JS"
  cp "$JS/package-lock.json" "$JS/node_modules/.corpus-lock"
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PIDS="$OUT/.pids"
mkdir -p "$PIDS"
IFS=, read -r -a LIST <<<"$VARIANTS"
JS_VARIANTS=()
RUN_JVM=0
for v in "${LIST[@]}"; do
  case "$v" in
    otel|openllmetry|openinference|ai-sdk) JS_VARIANTS+=("$v") ;;
    jvm) if [ -x "$CORPUS/jvm/generate.sh" ]; then RUN_JVM=1; else log "no devtools/corpus/jvm/generate.sh: skipping the JVM variants"; fi ;;
    *) die "unknown variant $v (otel, openllmetry, openinference, ai-sdk, jvm)" ;;
  esac
done
[ ${#JS_VARIANTS[@]} -gt 0 ] || [ "$RUN_JVM" = 1 ] || die "no variant to run"

cleanup() {
  local f
  for f in "$PIDS"/run-*.pid "$PIDS"/server-*.pid; do
    [ -e "$f" ] && stop_pid "$(basename "$f" .pid)" "$f" 15
  done
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

START_MS=$(( $(date +%s%3N) + LEAD * 1000 ))
log "corpus: ${VARIANTS} for ${DURATION}s from $(date -d "@$((START_MS / 1000))" +%H:%M:%S), seed $SEED, $RATE_MIN-$RATE_MAX calls/s per key, into $OUT"

# start_server NAME PLAN_VARIANT DIR: a fake server with its incident plan; echoes its URL.
start_server() {
  local name=$1 plan_variant=$2 dir=$3 url
  mkdir -p "$dir"
  node "$JS/plan.js" --duration "$DURATION" --variant "$plan_variant" --plan "$PLAN" > "$dir/plan.json"
  ( exec node "$CORPUS/fake-openai/server.mjs" --port 0 --seed "$SEED" --incidents "$dir/plan.json" \
      --start-ms "$START_MS" ) > "$dir/fake-openai.log" 2>&1 &
  echo $! > "$PIDS/server-$name.pid"
  wait_until "fake-openai ($name) listening" 30 "$PIDS/server-$name.pid" "$dir/fake-openai.log" \
    grep -q 'listening on' "$dir/fake-openai.log"
  url=$(sed -n 's/^fake-openai listening on //p' "$dir/fake-openai.log")
  echo "$url"
}

for v in "${JS_VARIANTS[@]}"; do
  url=$(start_server "$v" "$v" "$OUT/$v")
  rm -f "$OUT/$v/spans.jsonl" "$OUT/$v/calls.json" "$OUT/$v/incidents.json"
  ( exec node "$JS/run-variant.js" --variant "$v" --server-url "$url" --out "$OUT/$v" --duration "$DURATION" \
      --seed "$SEED" --start-ms "$START_MS" --rate-min "$RATE_MIN" --rate-max "$RATE_MAX" --tools-share "$TOOLS_SHARE" ) > "$OUT/$v/run.log" 2>&1 &
  echo $! > "$PIDS/run-$v.pid"
  log "$v: fake server $url, generator pid $(cat "$PIDS/run-$v.pid"), log $OUT/$v/run.log"
done
if [ "$RUN_JVM" = 1 ]; then
  url=$(start_server jvm spring-ai "$OUT/.jvm")
  ( exec "$CORPUS/jvm/generate.sh" --server-url "$url" --out "$OUT" --duration "$DURATION" --seed "$SEED" ) \
    > "$OUT/.jvm/run.log" 2>&1 &
  echo $! > "$PIDS/run-jvm.pid"
  log "jvm: fake server $url, generator pid $(cat "$PIDS/run-jvm.pid"), log $OUT/.jvm/run.log"
fi

# Progress every 30 s until every generator has exited; a failed one fails the run.
failed=0
while :; do
  running=0
  for f in "$PIDS"/run-*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid); name=${name#run-}
    if pid_alive "$f"; then running=$((running + 1)); continue; fi
    if wait "$(cat "$f")"; then log "$name: done"; else log "$name: FAILED (see its run.log)"; failed=1; fi
    rm -f "$f"
  done
  [ "$running" -eq 0 ] && break
  sleep 30 &
  wait $! || true
  for v in "${JS_VARIANTS[@]}"; do
    line=$(grep -E "^$v: t=" "$OUT/$v/run.log" | tail -n 1 || true)
    [ -e "$PIDS/run-$v.pid" ] && [ -n "$line" ] && log "$line"
  done
  [ -e "$PIDS/run-jvm.pid" ] && log "jvm: $(tail -n 1 "$OUT/.jvm/run.log" 2>/dev/null || true)"
done
cleanup
trap - EXIT

# The summary covers this run's variants (and, with jvm, whatever else it wrote), not older folders.
done_variants=$(IFS=,; echo "${JS_VARIANTS[*]}")
if [ "$RUN_JVM" = 1 ]; then
  for d in "$OUT"/*/; do
    d=$(basename "$d")
    case ",$done_variants," in *",$d,"*) ;; *) [ "$OUT/$d" -nt "$PIDS" ] && done_variants="$done_variants,$d" ;; esac
  done
fi
node "$JS/manifest.js" --out "$OUT" --variants "${done_variants:-none}" --seed "$SEED" --duration "$DURATION" \
  --rate-min "$RATE_MIN" --rate-max "$RATE_MAX" --start-ms "$START_MS" --plan "$PLAN" --tools-share "$TOOLS_SHARE"
[ "$failed" = 0 ] || die "a generator failed; see the logs under $OUT"
log "corpus in $OUT (manifest.json, <variant>/spans.jsonl, incidents.json, calls.json)"
