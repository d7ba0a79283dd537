#!/usr/bin/env bash
# Pod-to-pod TCP throughput (iperf3) and request/response rate (sockperf ping-pong) through
# Jilium, with a 1,000-rule policy selecting the server pod, against the same two pods wired
# the same way on plain veths without BPF. Both topologies exist side by side and are measured
# alternately in the same run; the ratios are Jilium / plain.
#
# Usage (root): bench/datapath-bench.sh [ROUNDS] [SECONDS]
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-10}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=bench-dp
SOCK=/tmp/jilium-bench-dp.sock
STATE=/tmp/jilium-bench-dp
AGENT=(agent --node-name "$NODE" --socket "$SOCK" --state-dir "$STATE" --pod-cidr-v4 10.251.0.0/24 --pod-cidr-v6 fd00:10:251::/120)

cleanup() {
  set +e
  J pod delete bench/client bench/server >/dev/null 2>&1
  [[ -n "${AGENT_PID:-}" ]] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
  "$JILIUM" "${AGENT[@]}" --cleanup >/dev/null 2>&1
  for n in plain-c plain-s; do ip netns pids "$n" 2>/dev/null | xargs -r kill -9; ip netns del "$n" 2>/dev/null; done
  ip link del vplain-c 2>/dev/null; ip link del vplain-s 2>/dev/null
}
trap cleanup EXIT
cleanup

# ---- plain topology: the same wiring Jilium does, without BPF ----
plain_pod() { # name hostif ip
  local ns=$1 hif=$2 ip=$3
  ip netns add "$ns"
  ip link add "$hif" type veth peer name eth0 netns "$ns"
  local hmac; hmac=$(cat /sys/class/net/"$hif"/address)
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/32" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" neigh replace 169.254.1.1 lladdr "$hmac" dev eth0 nud permanent
  ip -n "$ns" route replace 169.254.1.1/32 dev eth0 scope link
  ip -n "$ns" route replace default via 169.254.1.1 dev eth0
  ip link set "$hif" up
  local pmac; pmac=$(ip -n "$ns" -j link show eth0 | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
  ip neigh replace "$ip" lladdr "$pmac" dev "$hif" nud permanent
  ip route replace "$ip/32" dev "$hif" scope link
}
sysctl -qw net.ipv4.ip_forward=1
plain_pod plain-c vplain-c 10.252.0.2
plain_pod plain-s vplain-s 10.252.0.3

# ---- Jilium topology ----
"$JILIUM" "${AGENT[@]}" >"$STATE.log" 2>&1 &
AGENT_PID=$!
agent_wait "$STATE.log"
J pod run bench/server --labels app=server >/dev/null
J pod run bench/client --labels app=client >/dev/null
SERVER_IP=$(J pod list -o json | python3 -c 'import json,sys; print([p["ipv4"] for p in json.load(sys.stdin) if p["name"]=="server"][0])')
SNS=/var/run/netns/jl-$NODE-bench-server
CNS=/var/run/netns/jl-$NODE-bench-client

# 1,000 rules selecting the server: each allows the client on one port; two of them are the
# ports the measurements use
POLICY=$(mktemp --suffix=.yaml)
{
  echo "apiVersion: cilium.io/v2"
  echo "kind: CiliumNetworkPolicy"
  echo "metadata: {name: thousand-rules, namespace: bench}"
  echo "specs:"
  for i in $(seq 0 997); do
    echo "- endpointSelector: {matchLabels: {app: server}}"
    echo "  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: \"$((20000 + i))\", protocol: TCP}]}]}]"
  done
  echo "- endpointSelector: {matchLabels: {app: server}}"
  echo "  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: \"5201\", protocol: TCP}]}]}]"
  echo "- endpointSelector: {matchLabels: {app: server}}"
  echo "  ingress: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: \"11111\", protocol: TCP}]}]}]"
} >"$POLICY"
J apply -f "$POLICY" >/dev/null
ENTRIES=$(J bpf policy get "$(J pod list -o json | python3 -c 'import json,sys; print([p["endpointId"] for p in json.load(sys.stdin) if p["name"]=="server"][0])')" -o json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')

# servers
ip netns exec plain-s iperf3 -s -D -p 5201 >/dev/null
ip netns exec plain-s sockperf sr --tcp -i 10.252.0.3 -p 11111 --daemonize >/dev/null 2>&1
nsenter --net="$SNS" iperf3 -s -D -p 5201 >/dev/null
nsenter --net="$SNS" sockperf sr --tcp -i "$SERVER_IP" -p 11111 --daemonize >/dev/null 2>&1
for _ in $(seq 1 100); do
  ip netns exec plain-s ss -Hltn | grep -q 11111 && nsenter --net="$SNS" ss -Hltn | grep -q 11111 && break
  sleep 0.05
done

iperf_gbps() { # netns-enter-cmd ip
  $1 iperf3 -c "$2" -p 5201 -t "$SECS" -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)'
}
rr_rate() { # netns-enter-cmd ip
  $1 sockperf pp --tcp -i "$2" -p 11111 -t "$SECS" 2>&1 | python3 -c '
import re,sys
t=sys.stdin.read()
m=re.search(r"\[Total Run\] RunTime=([0-9.]+) sec.*?ReceivedMessages=([0-9]+)", t, re.S)
print(int(m.group(2))/float(m.group(1)))'
}

PLAIN_T=(); JIL_T=(); PLAIN_R=(); JIL_R=()
for r in $(seq 1 "$ROUNDS"); do
  PLAIN_T+=("$(iperf_gbps "ip netns exec plain-c" 10.252.0.3)")
  JIL_T+=("$(iperf_gbps "nsenter --net=$CNS" "$SERVER_IP")")
  PLAIN_R+=("$(rr_rate "ip netns exec plain-c" 10.252.0.3)")
  JIL_R+=("$(rr_rate "nsenter --net=$CNS" "$SERVER_IP")")
  echo "round $r: plain ${PLAIN_T[-1]} Gbit/s ${PLAIN_R[-1]} rr/s | jilium ${JIL_T[-1]} Gbit/s ${JIL_R[-1]} rr/s" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
PT=$(median "${PLAIN_T[@]}"); JT=$(median "${JIL_T[@]}"); PR=$(median "${PLAIN_R[@]}"); JR=$(median "${JIL_R[@]}")
echo
echo "| metric (median of $ROUNDS x ${SECS}s) | plain veth | Jilium, 1,000-rule policy ($ENTRIES map entries) | ratio |"
echo "|---|---|---|---|"
printf '| TCP throughput (iperf3) | %.2f Gbit/s | %.2f Gbit/s | %.3f |\n' "$PT" "$JT" "$(awk -v a="$JT" -v b="$PT" 'BEGIN{print a/b}')"
printf '| TCP request/response (sockperf ping-pong) | %.0f /s | %.0f /s | %.3f |\n' "$PR" "$JR" "$(awk -v a="$JR" -v b="$PR" 'BEGIN{print a/b}')"
