#!/usr/bin/env bash
# Kubernetes Services (issue 5): new TCP connections per second (connect, then abort with RST) and
# connect() latency from a client pod to
#   direct     the backend pods' IPs in turn (no service at all),
#   jilium N   a ClusterIP served by Jilium with N services programmed (1, 1,000, 10,000 by
#              default; each with SVC_BACKENDS endpoints; the measured one's are the backend pods),
#   iptables N the same services programmed as kube-proxy's iptables mode does (KUBE-SERVICES ->
#              KUBE-SVC-* -> statistic-random DNAT to KUBE-SEP-*, loaded with iptables-restore,
#              iptables-nft on Debian 12) on a separate VIP range, the agent running without them;
# and the time to apply and delete the services (`jilium apply -f` / `jilium delete -f` vs
# iptables-restore), the memory they take (jl_lb* BPF maps' memlock, agent RSS; kernel slab for
# the iptables rules). Each measurement is paired with a direct one right beside it (direct,
# service, direct, service, ...), so both meet the same load. Prints a markdown table.
# Generators: bench/src/main/java/io/jilium/bench/ServiceWorkload.java (YAML and rules),
# ServiceConnectBench.java (listeners in the backend pods, clients in the client pod).
#
# Usage (root): bench/services-bench.sh [ROUNDS] [SECONDS]
#   rounds per configuration (default 3) of SECONDS each (default 5), after SVC_WARMUP (default 1)
#   SVC_SCALES    numbers of services (default "1 1000 10000")
#   SVC_MODES     "jilium iptables" (default) or one of them
#   SVC_BACKENDS  endpoints per service and backend pods (default 3)
#   SVC_THREADS   client threads (default 4)
#   SVC_FILES     YAML files the services are split into for `jilium apply -f DIR` (default 1)
#   SVC_KEEP=DIR  keep the generated YAML and rules in DIR
set -euo pipefail
ROUNDS="${1:-3}"
SECS="${2:-5}"
WARMUP="${SVC_WARMUP:-1}"
read -r -a SCALES <<<"${SVC_SCALES:-1 1000 10000}"
read -r -a MODES <<<"${SVC_MODES:-jilium iptables}"
BACKENDS="${SVC_BACKENDS:-3}"
THREADS="${SVC_THREADS:-4}"
FILES="${SVC_FILES:-1}"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NODE=bench-svc
SOCK=/tmp/jilium-bench-svc.sock
STATE=/tmp/jilium-bench-svc
NS=svcbench
PORT=80
TARGET_PORT=8080
POD_CIDR=10.246.0.0/24
CLUSTER_CIDR=10.246.0.0/16 # kube-proxy's --cluster-cidr: pod sources are not masqueraded
JILIUM_VIP_BASE=10.202.0.1 # in the agent's default --service-cluster-ip-range 10.202.0.0/16
IPTABLES_VIP_BASE=10.96.0.1 # kube-proxy's side: kubeadm's default service range
FAKE_BACKEND_BASE=10.247.0.1 # endpoints of the services nobody connects to
AGENT=(agent --node-name "$NODE" --socket "$SOCK" --state-dir "$STATE"
  --pod-cidr-v4 "$POD_CIDR" --pod-cidr-v6 fd00:10:246::/120)
WORK="${SVC_KEEP:-$(mktemp -d /tmp/jilium-bench-svc-XXXXXX)}"
mkdir -p "$WORK"
mode_on() { [[ " ${MODES[*]} " == *" $1 "* ]]; }
log() { echo "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
# 12345.6 -> 12,346
thousands() { printf "%.0f" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
# the agent's Java heap in use after a full collection (its live data), KiB
heap_kib() {
  "$JAVA_HOME/bin/jcmd" "$1" GC.run >/dev/null
  "$JAVA_HOME/bin/jcmd" "$1" GC.heap_info | awk '/^[^ ].* total / {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); s += v } }
    END {print s + 0}'
}

# ---- iptables (kube-proxy's side) ----
if mode_on iptables && ! command -v iptables-restore >/dev/null; then
  log "installing iptables (kube-proxy's reference) and nftables (to remove its tables after the run)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iptables nftables >&2
fi
# Removes every KUBE-* chain and the jumps into them, as kube-proxy's cleanup does, in one restore.
ipt_clean() {
  local t rules
  command -v iptables-restore >/dev/null || return 0
  for t in filter nat; do
    rules=$(iptables-save -t "$t" 2>/dev/null) || continue
    grep -q '^:KUBE-' <<<"$rules" || continue
    {
      echo "*$t"
      grep -oE '^:KUBE-[A-Z0-9-]+' <<<"$rules" | sed 's/$/ - [0:0]/'
      grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' <<<"$rules" | sed 's/^-A/-D/'
      grep -oE '^:KUBE-[A-Z0-9-]+' <<<"$rules" | sed 's/^:/-X /'
      echo COMMIT
    } | iptables-restore -w --noflush
  done
}
# the tables this run creates are deleted at the end (they keep conntrack and NAT hooks alive)
TABLES_BEFORE=""
if command -v iptables-save >/dev/null; then
  TABLES_BEFORE=$(iptables-save 2>/dev/null | sed -n 's/^\*//p' | tr '\n' ' ')
fi
CT_MAX_BEFORE=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo "")

cleanup() {
  set +e
  if [[ -n "${AGENT_PID:-}" ]]; then
    J delete -f "$WORK/cur" >/dev/null 2>&1
    J pod delete "$NS/client" $(for i in $(seq 0 $((BACKENDS - 1))); do echo "$NS/backend-$i"; done) >/dev/null 2>&1
  fi
  agent_stop
  "$JILIUM" "${AGENT[@]}" --cleanup >/dev/null 2>&1
  ipt_clean
  if command -v nft >/dev/null; then
    for t in filter nat; do
      [[ " $TABLES_BEFORE " == *" $t "* ]] || nft delete table ip "$t" 2>/dev/null
    done
  fi
  [[ -n "$CT_MAX_BEFORE" ]] && echo "$CT_MAX_BEFORE" >/proc/sys/net/netfilter/nf_conntrack_max
  [[ -z "${SVC_KEEP:-}" ]] && rm -rf "$WORK"
  rm -f "$STATE-agent.log"
}
trap cleanup EXIT

bench_build
cleanup
mkdir -p "$WORK"

log "start $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(iptables --version 2>/dev/null || echo 'no iptables')"
"$JILIUM" "${AGENT[@]}" >"$STATE-agent.log" 2>&1 &
AGENT_PID=$! # the launcher execs the JVM: this is the agent's pid
agent_wait "$STATE-agent.log"
J pod run "$NS/client" --labels app=client >/dev/null
BACKEND_IPS=()
BACKEND_NS=()
for i in $(seq 0 $((BACKENDS - 1))); do
  J pod run "$NS/backend-$i" --labels app=backend >/dev/null
  BACKEND_IPS+=("$(pod_field "backend-$i" ipv4)")
  BACKEND_NS+=("$(pod_field "backend-$i" netns)")
done
CLIENT_NS=$(pod_field client netns)
# the baseline connects to the backend pods' IPs in turn: the same three listeners a service
# spreads over, without any translation
DIRECT=$(printf "%s:$TARGET_PORT|" "${BACKEND_IPS[@]}")
DIRECT="${DIRECT%|}"

for n in "${SCALES[@]}"; do
  bench_java io.jilium.bench.ServiceWorkload --services "$n" --backends "$BACKENDS" --files "$FILES" \
    --out "$WORK/$n" --measured-backends "$(IFS=,; echo "${BACKEND_IPS[*]}")" --namespace "$NS" \
    --port "$PORT" --target-port "$TARGET_PORT" --jilium-vip-base "$JILIUM_VIP_BASE" \
    --iptables-vip-base "$IPTABLES_VIP_BASE" --fake-backend-base "$FAKE_BACKEND_BASE" \
    --cluster-cidr "$CLUSTER_CIDR"
done

# measure NAME ADDRESS: ROUNDS pairs (direct, NAME); the lines go to LINES
LINES=()
measure() {
  local out
  out=$(bench_java io.jilium.bench.ServiceConnectBench --client-netns "$CLIENT_NS" \
    --backend-netns "$(IFS=,; echo "${BACKEND_NS[*]}")" --listen-port "$TARGET_PORT" \
    --targets "direct-$1=$DIRECT,$1=$2" --rounds "$ROUNDS" --seconds "$SECS" --warmup "$WARMUP" \
    --threads "$THREADS")
  while IFS= read -r l; do
    log "  $l"
    LINES+=("$l")
  done <<<"$out"
}
lines_of() { for l in "${LINES[@]}"; do [[ "$(field target "$l")" == "$1" ]] && echo "$l"; done; }
declare -A APPLY DELETE

# rounds alone, before anything else touches the machine's netfilter or the agent's maps
log "direct (no services)"
bench_java io.jilium.bench.ServiceConnectBench --client-netns "$CLIENT_NS" \
  --backend-netns "$(IFS=,; echo "${BACKEND_NS[*]}")" --listen-port "$TARGET_PORT" \
  --targets "direct=$DIRECT" --rounds "$ROUNDS" --seconds "$SECS" --warmup "$WARMUP" \
  --threads "$THREADS" >"$WORK/direct.out"
while IFS= read -r l; do log "  $l"; LINES+=("$l"); done <"$WORK/direct.out"

sleep 2
RSS_BEFORE=$(rss_kib "$AGENT_PID")
HEAP_BEFORE=$(heap_kib "$AGENT_PID")
PIN_DIR=/sys/fs/bpf/jilium/$NODE
lb_memlock() { # bytes of memlock of this agent's jl_lb* maps (pinned in its directory)
  local f total=0 b
  for f in "$PIN_DIR"/jl_lb*; do
    [[ -e "$f" ]] || continue
    b=$(bpftool map show pinned "$f" -j | python3 -c 'import json,sys; print(json.load(sys.stdin).get("bytes_memlock", 0))')
    total=$((total + b))
  done
  echo "$total"
}
lb_maps() { find "$PIN_DIR" -maxdepth 1 -name 'jl_lb*' | wc -l; }
MEMLOCK_BEFORE=$(lb_memlock)

if mode_on jilium; then
  prev=""
  for n in "${SCALES[@]}"; do
    if [[ -n "$prev" ]]; then
      t0=$(now)
      J delete -f "$WORK/$prev/services" >/dev/null
      DELETE[jilium-$prev]=$(elapsed "$t0")
      rm -f "$WORK/cur"
    fi
    log "jilium: apply $n services"
    t0=$(now)
    J apply -f "$WORK/$n/services" >/dev/null
    APPLY[jilium-$n]=$(elapsed "$t0")
    ln -sfn "$WORK/$n/services" "$WORK/cur"
    log "  applied in ${APPLY[jilium-$n]} s"
    measure "jilium-$n" "$JILIUM_VIP_BASE:$PORT"
    prev=$n
  done
  sleep 2
  RSS_AFTER=$(rss_kib "$AGENT_PID")
  HEAP_AFTER=$(heap_kib "$AGENT_PID")
  # what the datapath holds: a frontend has one entry per backend slot plus the count (slot 0)
  SVC_ENTRIES=$(bpftool map dump pinned "$PIN_DIR/jl_lb4_services" -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  MEMLOCK_AFTER=$(lb_memlock)
  LB_MAPS=$(lb_maps)
  t0=$(now)
  J delete -f "$WORK/$prev/services" >/dev/null
  DELETE[jilium-$prev]=$(elapsed "$t0")
  rm -f "$WORK/cur"
fi

if mode_on iptables; then
  # conntrack entries of aborted connections stay 10 s (CLOSE): room for the rates measured here,
  # so that what is measured is the rules, not a full table
  echo 1048576 >/proc/sys/net/netfilter/nf_conntrack_max
  for n in "${SCALES[@]}"; do
    ipt_clean
    iptables-restore -w --noflush <"$WORK/$n/kube-proxy-jumps.rules"
    log "iptables: restore $n services ($(wc -l <"$WORK/$n/kube-proxy.rules") lines)"
    slab0=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
    t0=$(now)
    iptables-restore -w --noflush --counters <"$WORK/$n/kube-proxy.rules"
    APPLY[iptables-$n]=$(elapsed "$t0")
    SLAB_KIB=$(($(awk '/^Slab:/ {print $2}' /proc/meminfo) - slab0))
    log "  restored in ${APPLY[iptables-$n]} s, kernel slab +$SLAB_KIB KiB"
    measure "iptables-$n" "$IPTABLES_VIP_BASE:$PORT"
    t0=$(now)
    ipt_clean
    DELETE[iptables-$n]=$(elapsed "$t0")
  done
fi
log "end $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- the table: medians over rounds ----
med() { lines_of "$2" | while IFS= read -r l; do field "$1" "$l"; done | median; } # KEY TARGET
DIRECT_REF=$(for l in "${LINES[@]}"; do
  t=$(field target "$l")
  [[ "$t" == direct || "$t" == direct-jilium-* ]] && field conn_rate "$l"
done | median)
COLS=(direct)
for m in jilium iptables; do
  mode_on "$m" && for n in "${SCALES[@]}"; do COLS+=("$m-$n"); done
done
title() {
  case "$1" in
    direct) echo "direct (pod IPs)" ;;
    jilium-*) echo "Jilium, $(thousands "${1#jilium-}")" ;;
    iptables-*) echo "kube-proxy iptables, $(thousands "${1#iptables-}")" ;;
  esac
}
row() { # LABEL FUNCTION
  local line="| $1 |" c
  for c in "${COLS[@]}"; do line+=" $($2 "$c") |"; done
  echo "$line"
}
rate() { thousands "$(med conn_rate "$1")"; }
ratio() { awk -v a="$(med conn_rate "$1")" -v b="$DIRECT_REF" 'BEGIN {printf "%.3f", a / b}'; }
beside() { [[ "$1" == direct ]] && echo "-" || thousands "$(med conn_rate "direct-$1")"; }
p50() { med p50_us "$1"; }
p99() { med p99_us "$1"; }
p999() { med p999_us "$1"; }
failed() { lines_of "$1" | while IFS= read -r l; do field failed "$l"; done | sum; }
spread() { lines_of "$1" | tail -1 | while IFS= read -r l; do field accepted "$l"; done; }
busy() { med machine_busy_pct "$1"; }
applied() { echo "${APPLY[$1]:--}"; }
deleted() { echo "${DELETE[$1]:--}"; }

echo
header="| services; $ROUNDS x ${SECS}s per configuration, $THREADS client threads, medians |"
sep="|---|"
for c in "${COLS[@]}"; do header+=" $(title "$c") |"; sep+="---|"; done
echo "$header"
echo "$sep"
row "new TCP connections/s" rate
row "ratio to direct (median of all direct rounds without iptables rules: $(thousands "$DIRECT_REF")/s)" ratio
row "direct rounds beside it, connections/s (iptables: with the rules loaded)" beside
row "connect() p50 (us)" p50
row "connect() p99 (us)" p99
row "connect() p99.9 (us)" p999
row "failed connects (all rounds)" failed
row "connections per backend pod (last round)" spread
row "machine busy (% of all cores)" busy
row "apply: jilium apply -f / iptables-restore (s)" applied
row "delete: jilium delete -f / restore removing the chains (s)" deleted
echo
echo "| memory | value |"
echo "|---|---|"
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; } # KiB
echo "| agent RSS, pods only | $(mib "$RSS_BEFORE") |"
echo "| agent Java heap in use after a full GC, pods only | $(mib "$HEAP_BEFORE") |"
if mode_on jilium; then
  echo "| agent RSS with $(thousands "${SCALES[-1]}") services | $(mib "$RSS_AFTER") |"
  echo "| agent Java heap in use after a full GC, $(thousands "${SCALES[-1]}") services | $(mib "$HEAP_AFTER") |"
  echo "| jl_lb4_services entries with $(thousands "${SCALES[-1]}") services (1 + $BACKENDS slots each) | $(thousands "$SVC_ENTRIES") |"
  echo "| jl_lb* BPF maps ($LB_MAPS pinned), memlock, no services | $(mib $((MEMLOCK_BEFORE / 1024))) |"
  echo "| jl_lb* BPF maps, memlock, $(thousands "${SCALES[-1]}") services | $(mib $((MEMLOCK_AFTER / 1024))) |"
fi
if mode_on iptables; then
  echo "| kernel slab growth over iptables-restore of $(thousands "${SCALES[-1]}") services (noisy) | $(mib "$SLAB_KIB") |"
fi
