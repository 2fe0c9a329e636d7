#!/usr/bin/env bash
# Makes the JVM corpus: Spring AI's ChatClient over the OpenAI model, in two Spring Boot
# services, against the loopback fake OpenAI server; writes <DIR>/spring-ai/ (spans.jsonl,
# incidents.json, calls.json). See ../README.md ("JVM: Spring AI").
#
#   devtools/corpus/jvm/generate.sh --out DIR [--server-url URL [--start-ms MS]] [--duration S]
#       [--seed N] [--incidents FILE] [--rate-min R] [--rate-max R] [--key-rate SERVICE/MODEL=R,...]
#       [--stream-share F] [--usage-share-of-streams F]
#
# With --server-url the fake server is already running with its incidents; the traffic starts at
# its --start-ms (given here, or read back from its incident windows), as the JavaScript
# corpus's does. Without it this script starts devtools/corpus/fake-openai/server.mjs itself
# with --incidents once the applications are up, and stops it at the end.
# Needs Java 17, Maven (Maven Central for the first build) and, without --server-url, Node.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fake_server="${FAKE_OPENAI_SERVER:-$here/../fake-openai/server.mjs}"

out="" server_url="" duration=1200 seed=1 incidents=""
passthrough=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --server-url) server_url="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --incidents) incidents="$2"; shift 2 ;;
    --start-ms|--rate-min|--rate-max|--key-rate|--stream-share|--usage-share-of-streams|--services|--models)
      passthrough+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "generate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$out" ]] || { echo "generate.sh: --out DIR is required" >&2; exit 2; }
[[ -z "$incidents" || -f "$incidents" ]] || { echo "generate.sh: no incidents file $incidents" >&2; exit 2; }
if [[ -n "$incidents" ]]; then incidents="$(cd "$(dirname "$incidents")" && pwd)/$(basename "$incidents")"; fi

echo "generate.sh: building devtools/corpus/jvm (first build downloads Spring AI from Maven Central)" >&2
(cd "$here" && mvn -q -B -Dstyle.color=never package -DskipTests)

dir="$out/spring-ai"
mkdir -p "$dir"
work="$(mktemp -d)"
java_pid="" server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  [[ -n "$java_pid" ]] && kill "$java_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Run a copy: a rebuild during a 20-minute run must not change the jar under the running JVM.
jar="$work/corpus-jvm.jar"
cp "$here/target/corpus-jvm-0.1.0-SNAPSHOT.jar" "$jar"

wait_for_server=0
if [[ -z "$server_url" ]]; then
  [[ -f "$fake_server" ]] || { echo "generate.sh: $fake_server is missing" >&2; exit 1; }
  port="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  server_url="http://127.0.0.1:$port"
  wait_for_server=600
elif [[ -n "$incidents" ]]; then
  echo "generate.sh: --server-url given: the incidents are the ones that server was started with" >&2
fi

java -Xmx1g -jar "$jar" --server-url "$server_url" --out "$dir" --duration "$duration" \
  --seed "$seed" --wait-for-server "$wait_for_server" "${passthrough[@]}" 2> "$work/java.log" &
java_pid=$!

if [[ "$wait_for_server" -gt 0 ]]; then
  # Start the server only once both applications are up (Spring Boot takes 10-30 s here).
  until grep -q "applications ready" "$work/java.log"; do
    if ! kill -0 "$java_pid" 2>/dev/null; then
      echo "generate.sh: the generator stopped before it was ready:" >&2; tail -40 "$work/java.log" >&2; exit 1
    fi
    sleep 0.2
  done
  args=(--port "$port" --seed "$seed" --start-ms "$(date +%s%3N)")
  [[ -n "$incidents" ]] && args+=(--incidents "$incidents")
  node "$fake_server" "${args[@]}" > "$work/server.log" 2>&1 &
  server_pid=$!
fi

if ! wait "$java_pid"; then
  java_pid=""
  echo "generate.sh: the generator failed:" >&2; grep -v '^\s*at ' "$work/java.log" | tail -40 >&2; exit 1
fi
java_pid=""
grep "^spring-ai corpus:" "$work/java.log" >&2 || true
echo "generate.sh: wrote $dir (spans.jsonl $(wc -l < "$dir/spans.jsonl") lines, $(du -h "$dir/spans.jsonl" | cut -f1))" >&2
