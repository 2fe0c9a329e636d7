#!/usr/bin/env bash
# JMH benchmarks of the detection engine: the cost per value of each detector, of one metric's
# full evaluation, of one request's seven metrics, and of the keyed Flink function on the heap
# and on RocksDB. Prints JMH's table (ns per value; lower is better). The machine is shared and
# noisy: compare the rows of one run with each other, not with another run.
#   scripts/bench.sh [JMH options, e.g. -f 1 -wi 2 -i 3 or a benchmark name pattern]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
log "compiling the benchmarks (mvn test-compile)"
mvn -B -q install -DskipTests -pl functions -am >/dev/null
mvn -B -q -pl functions test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/functions/target/test-classpath.txt" >/dev/null
CP="$ROOT/functions/target/test-classes:$ROOT/functions/target/classes:$(cat "$ROOT/functions/target/test-classpath.txt")"
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-f 1 -wi 2 -w 2s -i 3 -r 3s)
log "running JMH: ${ARGS[*]}"
exec java $JAVA_OPENS -Dlog4j2.level=WARN -cp "$CP" org.openjdk.jmh.Main DetectionBenchmark "${ARGS[@]}"
