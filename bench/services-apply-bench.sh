#!/usr/bin/env bash
# Services apply time (issue 5) in the order the services benchmark meets it, without its traffic:
# apply 1, delete, apply 1,000, delete, apply 10,000 (the measured one in services-bench.sh), then
# two re-applies of the same file and two delete + apply pairs (a warm agent). Prints ms per step.
# Generator: bench/src/main/java/io/jilium/bench/ServiceWorkload.java.
#
# Usage (root): bench/services-apply-bench.sh
#   APPLY_GC_LOG=FILE   the agent's GC log (-Xlog:gc) into FILE
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=bench-apply
SOCK=/tmp/jilium-bench-apply.sock
STATE=/tmp/jilium-bench-apply
AGENT=(agent --node-name "$NODE" --socket "$SOCK" --state-dir "$STATE"
  --pod-cidr-v4 10.246.0.0/24 --pod-cidr-v6 fd00:10:246::/120)
WORK=$(mktemp -d /tmp/jilium-bench-apply-XXXXXX)
cleanup() {
  set +e
  agent_stop
  "$JILIUM" "${AGENT[@]}" --cleanup >/dev/null 2>&1
  rm -rf "$WORK" "$STATE" "$STATE-agent.log"
}
trap cleanup EXIT
bench_build
cleanup
mkdir -p "$WORK"
for n in 1 1000 10000; do
  bench_java io.jilium.bench.ServiceWorkload --services "$n" --backends 3 --files 1 \
    --out "$WORK/$n" --measured-backends 10.246.0.10,10.246.0.11,10.246.0.12 --namespace svcapply \
    --port 80 --target-port 8080 --jilium-vip-base 10.202.0.1 \
    --iptables-vip-base 10.96.0.1 --fake-backend-base 10.247.0.1 --cluster-cidr 10.246.0.0/16
done
GC_OPTS=""
[[ -n "${APPLY_GC_LOG:-}" ]] && GC_OPTS="-Xlog:gc:file=$APPLY_GC_LOG"
JDK_JAVA_OPTIONS="$GC_OPTS" "$JILIUM" "${AGENT[@]}" >"$STATE-agent.log" 2>&1 &
AGENT_PID=$!
agent_wait "$STATE-agent.log"
ms() { # the wall time of one CLI command, ms
  local t0 t1
  t0=$(date +%s%N)
  J "$@" >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
echo "apply 1: $(ms apply -f "$WORK/1/services") ms, delete: $(ms delete -f "$WORK/1/services") ms"
echo "apply 1,000: $(ms apply -f "$WORK/1000/services") ms, delete: $(ms delete -f "$WORK/1000/services") ms"
echo "apply 10,000: $(ms apply -f "$WORK/10000/services") ms (the benchmark's)"
echo "re-apply 10,000: $(ms apply -f "$WORK/10000/services") ms, $(ms apply -f "$WORK/10000/services") ms"
for _ in 1 2; do
  echo "delete 10,000: $(ms delete -f "$WORK/10000/services") ms, apply again: $(ms apply -f "$WORK/10000/services") ms"
done
