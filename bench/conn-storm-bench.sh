#!/usr/bin/env bash
# Connection storm through one observed pod pair: a client pod opens and aborts (RST) TCP
# connections to a server pod on the same node as fast as it can, through a
# CiliumNetworkPolicy that selects the server and allows the client on the port (so every new
# connection yields policy verdicts as well as traces). Each round restarts the agent, alternately
# with flows on (--enable-hubble=true, default medium aggregation, a GetFlows follow subscriber on
# the agent socket) and off (--enable-hubble=false: only drops are reported); pods and policy
# survive the restarts. Per round (bench/src/main/java/io/jilium/bench/ConnStormBench.java): new
# connections per second, flows the agent processed and the subscriber was handed, the kernel's
# lost-event counter, and the CPU of the agent process (utime + stime, % of one core).
#
# Usage (root): bench/conn-storm-bench.sh [ROUNDS] [SECONDS]
#   STORM_THREADS (client threads, default 4), STORM_WARMUP (seconds before each measured
#   interval, default 5), STORM_AGGREGATION (--monitor-aggregation, default medium),
#   STORM_SUBSCRIBE (false: flows on without a GetFlows subscriber, default true),
#   STORM_AGENT_JAVA_OPTS (JVM options for the agent instead of the launcher's: the agent JVM is
#   then started directly, e.g. "-XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m"),
#   STORM_AGENT_ARGS (extra agent flags, e.g. "--bpf-events-ring-size 67108864"),
#   STORM_JFR=DIR (a JFR recording of the agent over each measured interval, into DIR)
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-10}"
THREADS="${STORM_THREADS:-4}"
WARMUP="${STORM_WARMUP:-5}"
AGGREGATION="${STORM_AGGREGATION:-medium}"
SUBSCRIBE="${STORM_SUBSCRIBE:-true}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=bench-storm
SOCK=/tmp/jilium-bench-storm.sock
STATE=/tmp/jilium-bench-storm
PORT=8080
HUBBLE_METRICS=127.0.0.1:19965
AGENT=(agent --node-name "$NODE" --socket "$SOCK" --state-dir "$STATE"
  --pod-cidr-v4 10.249.0.0/24 --pod-cidr-v6 fd00:10:249::/120
  --monitor-aggregation "$AGGREGATION"
  --hubble-metrics-server "$HUBBLE_METRICS" --prometheus-serve-addr 127.0.0.1:19962)
# shellcheck disable=SC2206 # flags are words
AGENT+=(${STORM_AGENT_ARGS:-})

start_agent() { # true|false
  agent_stop
  if [[ -n "${STORM_AGENT_JAVA_OPTS:-}" ]]; then
    # shellcheck disable=SC2086 # options are words
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $STORM_AGENT_JAVA_OPTS \
      -cp "$HERE/jilium-dist/target/jilium.jar" io.jilium.cli.JiliumMain \
      "${AGENT[@]}" --enable-hubble="$1" >"$STATE-agent.log" 2>&1 &
  else
    "$JILIUM" "${AGENT[@]}" --enable-hubble="$1" >"$STATE-agent.log" 2>&1 &
  fi
  AGENT_PID=$! # the launcher execs the JVM: this is the agent's pid
  agent_wait "$STATE-agent.log" || exit 1
}
cleanup() {
  set +e
  [[ -n "${AGENT_PID:-}" ]] && J pod delete storm/client storm/server >/dev/null 2>&1
  agent_stop
  "$JILIUM" "${AGENT[@]}" --cleanup >/dev/null 2>&1
  rm -f "$STATE-policy.yaml" "$STATE-agent.log"
}
trap cleanup EXIT

bench_build
cleanup

start_agent true
J pod run storm/server --labels app=server >/dev/null
J pod run storm/client --labels app=client >/dev/null
SERVER_IP=$(pod_field server ipv4)
SERVER_NS=$(pod_field server netns)
CLIENT_NS=$(pod_field client netns)
cat >"$STATE-policy.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: storm-server, namespace: storm}
spec:
  endpointSelector: {matchLabels: {app: server}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: client}}]
    toPorts: [{ports: [{port: "$PORT", protocol: TCP}]}]
EOF
J apply -f "$STATE-policy.yaml" >/dev/null

round() { # true|false
  bench_java io.jilium.bench.ConnStormBench \
    --client-netns "$CLIENT_NS" --server-netns "$SERVER_NS" --server-ip "$SERVER_IP" --port "$PORT" \
    --seconds "$SECS" --warmup "$WARMUP" --threads "$THREADS" --agent-pid "$AGENT_PID" \
    --socket "$SOCK" --observe "$1" --clk-tck "$(getconf CLK_TCK)" \
    --lost-events-map "/sys/fs/bpf/jilium/$NODE/jl_lost_events" \
    2> >(grep -v -e '^SLF4J' -e 'SO_KEEPALIVE' -e 'AbstractBootstrap setChannelOption' >&2)
}
hubble_metric() { # name: summed over label sets
  curl -s "http://$HUBBLE_METRICS/metrics" | awk -v n="$1" '$1 ~ "^"n"({|$)" {s += $2} END {printf "%.0f", s}'
}

echo "start $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ON=(); OFF=()
for r in $(seq 1 "$ROUNDS"); do
  for mode in true false; do
    start_agent "$mode"
    if [[ -n "${STORM_JFR:-}" ]]; then
      mkdir -p "$STORM_JFR"
      "$JAVA_HOME/bin/jcmd" "$AGENT_PID" JFR.start delay="${WARMUP}s" duration="${SECS}s" settings=profile \
        jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=2ms \
        filename="$STORM_JFR/agent-round$r-flows-$mode.jfr" >/dev/null
    fi
    line=$(round "$([[ "$mode" == true ]] && echo "$SUBSCRIBE" || echo false)")
    if [[ "$mode" == true ]]; then
      line+=" hubble_flows_processed_total=$(hubble_metric hubble_flows_processed_total)"
      line+=" hubble_lost_events_total=$(hubble_metric hubble_lost_events_total)"
      ON+=("$line")
    else
      OFF+=("$line")
    fi
    echo "round $r flows=$mode: $line" >&2
  done
done

echo "end $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- summary: medians over rounds; lost events summed ----
RATE_ON=$(col conn_rate "${ON[@]}" | median)
RATE_OFF=$(col conn_rate "${OFF[@]}" | median)
echo
echo "| $ROUNDS x ${SECS}s rounds (medians; lost: sums), $THREADS client threads, --monitor-aggregation $AGGREGATION | flows on | flows off |"
echo "|---|---|---|"
printf '| new TCP connections/s | %.0f | %.0f |\n' "$RATE_ON" "$RATE_OFF"
printf '| failed connects (all rounds) | %s | %s |\n' "$(col failed "${ON[@]}" | sum)" "$(col failed "${OFF[@]}" | sum)"
printf '| ratio on/off (of the medians) | %.3f | |\n' "$(awk -v a="$RATE_ON" -v b="$RATE_OFF" 'BEGIN{print a/b}')"
printf '| flows processed by the agent /s | %.0f | - |\n' "$(for l in "${ON[@]}"; do awk -v f="$(field flows_processed "$l")" -v t="$(field interval_s "$l")" 'BEGIN{print f/t}'; done | median)"
printf '| datapath events per connection (read + lost) | %s | - |\n' "$(col events_per_conn "${ON[@]}" | median)"
printf '| flows delivered to the GetFlows follow subscriber /s | %.0f | - |\n' "$(for l in "${ON[@]}"; do awk -v f="$(field flows_delivered "$l")" -v t="$(field interval_s "$l")" 'BEGIN{print f/t}'; done | median)"
printf '| delivered / processed | %.3f | - |\n' "$(for l in "${ON[@]}"; do awk -v d="$(field flows_delivered "$l")" -v p="$(field flows_processed "$l")" 'BEGIN{print d/p}'; done | median)"
printf '| lost events (kernel, measured intervals) | %s | %s |\n' "$(col lost_kernel "${ON[@]}" | sum)" "$(col lost_kernel "${OFF[@]}" | sum)"
printf '| lost events (kernel, whole rounds with warm-up and drain) | %s | %s |\n' "$(col lost_kernel_round "${ON[@]}" | sum)" "$(col lost_kernel_round "${OFF[@]}" | sum)"
printf '| agent CPU (%% of one core) | %s | %s |\n' "$(col agent_cpu_pct "${ON[@]}" | median)" "$(col agent_cpu_pct "${OFF[@]}" | median)"
printf '| load generator CPU (%% of one core) | %s | %s |\n' "$(col bench_cpu_pct "${ON[@]}" | median)" "$(col bench_cpu_pct "${OFF[@]}" | median)"
printf '| machine busy (%% of 2 cores) | %s | %s |\n' "$(col machine_busy_pct "${ON[@]}" | median)" "$(col machine_busy_pct "${OFF[@]}" | median)"
