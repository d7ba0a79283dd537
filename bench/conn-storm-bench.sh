#!/usr/bin/env bash
# Connection storm through one observed pod pair: a client pod opens and aborts (RST) TCP
# connections to a server pod on the same node as fast as it can, through a
# CiliumNetworkPolicy that selects the server and allows the client on the port (so every new
# connection yields policy verdicts as well as traces). Each round restarts the agent once per
# mode, in turn: flows on (--enable-hubble=true, default medium aggregation: every event kept in
# the flow ring, to be decoded when read, and counted in Hubble's metrics, nobody reading them, as
# on a node no Hubble client is connected to), flows on with a GetFlows follow subscriber on the agent socket reading all it
# can (as `hubble observe -f`; its client runs in the load generator, on the same two cores), and
# flows off (--enable-hubble=false: only drops are reported); pods and policy survive the
# restarts. Per round (bench/src/main/java/io/jilium/bench/ConnStormBench.java): new
# connections per second, flows the agent processed and the subscriber was handed, the kernel's
# lost-event counter, and the CPU of the agent process (utime + stime, % of one core).
#
# Usage (root): bench/conn-storm-bench.sh [ROUNDS] [SECONDS]
#   STORM_THREADS (client threads, default 4), STORM_WARMUP (seconds before each measured
#   interval, default 20: every round starts a new agent, whose JIT compiles for ~15 s; a node's
#   agent pays that once), STORM_AGGREGATION (--monitor-aggregation, default medium),
#   STORM_MODES (the modes measured each round, default "on follow off"),
#   STORM_AGENT_JAVA_OPTS (JVM options for the agent instead of the launcher's: the agent JVM is
#   then started directly, e.g. "-XX:+UseSerialGC -Xms256m -Xmx256m -Xmn128m"),
#   STORM_AGENT_ARGS (extra agent flags, e.g. "--bpf-events-ring-size 67108864"),
#   STORM_JFR=DIR (a JFR recording of the agent over each measured interval, into DIR)
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-10}"
THREADS="${STORM_THREADS:-4}"
WARMUP="${STORM_WARMUP:-20}"
AGGREGATION="${STORM_AGGREGATION:-medium}"
read -r -a MODES <<<"${STORM_MODES:-on follow off}"
# checked before anything runs; each mode once, so that round i of every mode pairs up
for m in "${MODES[@]}"; do
  case "$m" in on | follow | off) ;; *) echo "STORM_MODES: unknown mode $m (expected: on, follow, off)" >&2; exit 2 ;; esac
done
if [[ $(printf '%s\n' "${MODES[@]}" | sort | uniq -d) ]]; then
  echo "STORM_MODES: a mode is named twice: ${MODES[*]}" >&2
  exit 2
fi
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
ON=(); FOLLOW=(); OFF=()
for r in $(seq 1 "$ROUNDS"); do
  for mode in "${MODES[@]}"; do
    case "$mode" in
      on | follow) hubble=true ;;
      *) hubble=false ;;
    esac
    start_agent "$hubble"
    if [[ -n "${STORM_JFR:-}" ]]; then
      mkdir -p "$STORM_JFR"
      "$JAVA_HOME/bin/jcmd" "$AGENT_PID" JFR.start delay="${WARMUP}s" duration="${SECS}s" settings=profile \
        jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=2ms \
        filename="$STORM_JFR/agent-round$r-flows-$mode.jfr" >/dev/null
    fi
    line=$(round "$([[ "$mode" == follow ]] && echo true || echo false)")
    if [[ "$hubble" == true ]]; then
      line+=" hubble_flows_processed_total=$(hubble_metric hubble_flows_processed_total)"
      line+=" hubble_lost_events_total=$(hubble_metric hubble_lost_events_total)"
    fi
    case "$mode" in
      on) ON+=("$line") ;;
      follow) FOLLOW+=("$line") ;;
      off) OFF+=("$line") ;;
    esac
    echo "round $r flows=$mode: $line" >&2
  done
done

echo "end $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ---- summary: medians over rounds; lost events summed; a mode not measured shows "-" ----
rate() { local l; for l in "$@"; do awk -v f="$(field "$FIELD" "$l")" -v t="$(field interval_s "$l")" 'BEGIN{print f/t}'; done | median; }
cell() { # FORMAT COMMAND ARGS...: the command's value over ARGS, or - without rows
  local fmt=$1 cmd=$2; shift 2
  if (($# == 0)); then printf -- '-'; else printf "$fmt" "$("$cmd" "$@")"; fi
}
median_of() { col "$COL" "$@" | median; }
sum_of() { col "$COL" "$@" | sum; }
ratio() { # rows of a mode: its median rate over the median rate of off
  awk -v a="$(COL=conn_rate median_of "$@")" -v b="$(COL=conn_rate median_of "${OFF[@]}")" 'BEGIN{print a/b}'
}
row() { # LABEL FORMAT COMMAND [off too: yes|no]
  local label=$1 fmt=$2 cmd=$3 offtoo=${4:-yes}
  printf '| %s | %s | %s | %s |\n' "$label" "$(cell "$fmt" "$cmd" "${ON[@]}")" \
    "$(cell "$fmt" "$cmd" "${FOLLOW[@]}")" "$([[ $offtoo == yes ]] && cell "$fmt" "$cmd" "${OFF[@]}" || echo -)"
}
echo
echo "| $ROUNDS x ${SECS}s rounds (medians; lost: sums), $THREADS client threads, --monitor-aggregation $AGGREGATION | flows on | flows on, GetFlows follower | flows off |"
echo "|---|---|---|---|"
COL=conn_rate row "new TCP connections/s" %.0f median_of
COL=failed row "failed connects (all rounds)" %s sum_of
if ((${#OFF[@]} > 0)); then
  row "ratio to flows off (of the medians)" %.3f ratio no
  paired() { # rows of a mode: each round's rate over the same round's off rate, in round order
    local i out=() l=("$@")
    for i in "${!OFF[@]}"; do
      ((i < $#)) || break
      out+=("$(awk -v a="$(field conn_rate "${l[$i]}")" -v b="$(field conn_rate "${OFF[$i]}")" 'BEGIN{printf "%.2f", a/b}')")
    done
    local IFS=,
    echo "${out[*]}" | sed 's/,/, /g'
  }
  paired_median() { paired "$@" | tr -d ' ' | tr , '\n' | median; }
  row "per-round ratios to flows off" %s paired no
  row "median of the per-round ratios" %.3f paired_median no
fi
FIELD=flows_processed row "flows processed by the agent /s" %.0f rate no
COL=events_per_conn row "datapath events per connection (read + lost)" %s median_of no
FIELD=flows_delivered row "flows delivered to the GetFlows follower /s" %.0f rate no
COL=lost_kernel row "lost events (kernel, measured intervals)" %s sum_of
COL=lost_kernel_round row "lost events (kernel, whole rounds with warm-up and drain)" %s sum_of
COL=agent_cpu_pct row "agent CPU (% of one core)" %s median_of
COL=bench_cpu_pct row "load generator CPU (% of one core)" %s median_of
COL=machine_busy_pct row "machine busy (% of 2 cores)" %s median_of
