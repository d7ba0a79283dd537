#!/usr/bin/env bash
# Node-level numbers: time from the pod-run API call until the pod answers a ping, agent RSS idle
# and with N pods, and the CLI round trip (`jilium status` wall time, hyperfine).
#
# Usage (root): bench/node-bench.sh [PODS]
set -euo pipefail
PODS="${1:-100}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=bench-node
SOCK=/tmp/jilium-bench-node.sock
STATE=/tmp/jilium-bench-node
AGENT=(agent --node-name "$NODE" --socket "$SOCK" --state-dir "$STATE" --pod-cidr-v4 10.253.0.0/22 --pod-cidr-v6 fd00:10:253::/118)

cleanup() {
  set +e
  [[ -n "${AGENT_PID:-}" ]] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
  "$JILIUM" "${AGENT[@]}" --cleanup >/dev/null 2>&1
}
trap cleanup EXIT
"$JILIUM" --version >/dev/null # builds when needed
(cd "$HERE" && ./mvnw -q -B -pl bench -am package -DskipTests)
cleanup

# through the launcher, with the JVM options it gives the agent; it execs the JVM, so $! is the
# agent's pid (for RSS)
"$JILIUM" "${AGENT[@]}" >"$STATE.log" 2>&1 &
AGENT_PID=$!
agent_wait "$STATE.log"
sleep 5 # let the freshly started JVM settle before reading its idle RSS

"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$HERE/bench/target/benchmarks.jar" \
  io.jilium.bench.PodStartupBench "$SOCK" "$AGENT_PID" "$PODS"

echo
echo "CLI round trip (jilium status, via ./jilium with its AOT cache):"
hyperfine -N -w 3 -r 20 "$JILIUM --socket $SOCK status" 2>&1 | sed -n '2,4p'
