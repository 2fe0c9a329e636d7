#!/usr/bin/env bash
# Writes snapshots of the detection state in the current format into the test resources, for
# StateCompatibilityTest to restore in every later build. Run it for each release whose state
# format changed, and commit the files:
#   scripts/state-snapshot.sh VERSION        (e.g. 0.2)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
VERSION="${1:?usage: $0 VERSION}"
cd "$ROOT"
mvn -B -q install -DskipTests -pl functions -am >/dev/null
mvn -B -q -pl functions test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$ROOT/functions/target/test-classpath.txt" >/dev/null
CP="$ROOT/functions/target/test-classes:$ROOT/functions/target/classes:$(cat "$ROOT/functions/target/test-classpath.txt")"
cd "$ROOT/functions"
java $JAVA_OPENS -Dlog4j2.level=WARN -cp "$CP" io.llmsentinel.functions.flink.StateSnapshots "$VERSION"
