#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Smoke test of bpf_lxc.o with real traffic, without the agent (root): two pods (network
# namespaces) behind host-side veths lxcsmoke1/lxcsmoke2, routed by the host, with the
# programs attached and the maps filled by bpftool. Cleans up everything it creates, also on
# failure. Usage: bpf/tests/smoke.sh [-v]
set -euo pipefail
export LC_ALL=C # error messages are matched below

VERBOSE=0
[[ ${1:-} == -v ]] && VERBOSE=1

BPF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_ID=$$
NS1=jlsmoke1-$RUN_ID
NS2=jlsmoke2-$RUN_ID
LXC1=lxcsmoke1
LXC2=lxcsmoke2
PIN=/sys/fs/bpf/jlsmoke_$RUN_ID
MAPS=$PIN/maps
WORK=$(mktemp -d /tmp/jlsmoke.XXXXXX)

# Pod 1 and pod 2: endpoint ids, identities, addresses.
EP1=101 ID1=1001 IP1=10.213.1.1 IP61=fd10:213::1
EP2=102 ID2=1002 IP2=10.213.2.1 IP62=fd10:213::2
SPOOF4=10.213.1.99
WORLD=2

PIDS=()
LOCKED=0
FAILED=0
PASSED=0

log() { echo "smoke: $*"; }
vlog() { if ((VERBOSE)); then echo "smoke:   $*"; fi; }

cleanup() {
	local rc=$?
	set +e
	for pid in "${PIDS[@]}"; do
		kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null # servers lead their own group
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if ((LOCKED)); then
		ip link del "$LXC1" 2>/dev/null
		ip link del "$LXC2" 2>/dev/null
	fi
	ip netns del "$NS1" 2>/dev/null
	ip netns del "$NS2" 2>/dev/null
	rm -rf "$PIN" "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "smoke: FATAL: $*" >&2
	exit 1
}

[[ $EUID -eq 0 ]] || die "needs root"
# tool -> Debian package; scripts/setup.sh installs most, this test installs what it alone needs
declare -A TOOLS=([clang]=clang [llvm-objdump]=llvm [make]=make [bpftool]=bpftool [tc]=iproute2
	[ip]=iproute2 [ss]=iproute2 [nsenter]=util-linux [socat]=socat [ping]=iputils-ping)
missing=()
for tool in "${!TOOLS[@]}"; do
	command -v "$tool" >/dev/null || missing+=("${TOOLS[$tool]}")
done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "cannot install ${missing[*]}"
fi
[[ -e /usr/include/bpf/bpf_helpers.h ]] || die "libbpf-dev not installed"

# One run at a time: the host-side names are fixed.
exec 9>/run/lock/jilium-bpf-smoke.lock
flock -w 600 9 || die "another smoke run holds /run/lock/jilium-bpf-smoke.lock"
LOCKED=1

# Leftovers of runs that were killed without a chance to clean up (their pid is gone).
for stale in /var/run/netns/jlsmoke[12]-* /sys/fs/bpf/jlsmoke_*; do
	[[ -e $stale ]] || continue
	pid=${stale##*[-_]}
	[[ $pid =~ ^[0-9]+$ ]] && ! kill -0 "$pid" 2>/dev/null || continue
	log "removing leftover $stale"
	if [[ $stale == /var/run/netns/* ]]; then ip netns del "${stale##*/}"; else rm -rf "$stale"; fi
done
ip link del "$LXC1" 2>/dev/null || true
ip link del "$LXC2" 2>/dev/null || true

# ---- byte encodings for bpftool (keys and values are little-endian structs) ----

le32() { printf '%02x %02x %02x %02x ' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
be16() { printf '%02x %02x ' $((($1 >> 8) & 255)) $(($1 & 255)); }
u8() { printf '%02x ' "$1"; }
zeros() { local i; for ((i = 0; i < $1; i++)); do printf '00 '; done; }
ip4hex() {
	local a b c d
	IFS=. read -r a b c d <<<"$1"
	printf '%02x %02x %02x %02x ' "$a" "$b" "$c" "$d"
}
ip6hex() {
	local addr=$1 head tail g i n
	local -a h=() t=() groups=()
	if [[ $addr == *::* ]]; then
		head=${addr%%::*} tail=${addr#*::}
	else
		head=$addr tail=
	fi
	[[ -n $head ]] && IFS=: read -ra h <<<"$head"
	[[ -n $tail ]] && IFS=: read -ra t <<<"$tail"
	n=$((8 - ${#h[@]} - ${#t[@]}))
	groups=("${h[@]}")
	for ((i = 0; i < n; i++)); do groups+=(0); done
	groups+=("${t[@]}")
	for g in "${groups[@]}"; do printf '%02x %02x ' $((0x$g >> 8)) $((0x$g & 255)); done
}
machex() { printf '%s ' ${1//:/ }; }

# ---- checks ----

pass() {
	PASSED=$((PASSED + 1))
	log "ok    $*"
}
fail() {
	FAILED=$((FAILED + 1))
	log "FAIL  $*"
}
expect() { # expect ok|fail description command...
	local want=$1 what=$2
	shift 2
	if "$@" >"$WORK/last.out" 2>&1; then
		if [[ $want == ok ]]; then pass "$what"; else fail "$what (passed, expected it to be blocked)"; fi
	else
		if [[ $want == fail ]]; then pass "$what"; else fail "$what (blocked, expected it to pass)"; fi
	fi
	if ((VERBOSE)); then sed 's/^/smoke:     | /' "$WORK/last.out"; fi
}

in_ns() { # in_ns NS command...: nsenter keeps /sys/fs/bpf visible, unlike ip netns exec
	local ns=$1
	shift
	nsenter --net="/var/run/netns/$ns" "$@"
}

ping4() { in_ns "$1" ping -4 -n -c1 -W"${3:-2}" "$2"; }
ping6() { in_ns "$1" ping -6 -n -c1 -W"${3:-2}" "$2"; }

# tcp NS ADDR PORT: connects, expects the server's greeting "hello-PORT".
tcp() {
	local target out
	if [[ $2 == *:* ]]; then target="TCP6:[$2]:$3"; else target="TCP4:$2:$3"; fi
	out=$(timeout 10 nsenter --net="/var/run/netns/$1" socat -t5 -T5 - "$target,connect-timeout=2" </dev/null) || return 1
	echo "$out"
	[[ $out == "hello-$3" ]]
}

# udp_refused NS ADDR PORT: a datagram to a closed port must come back as ICMP port unreachable.
udp_refused() {
	local out
	out=$(echo ping | timeout 10 nsenter --net="/var/run/netns/$1" socat -t2 -T3 - "UDP4:$2:$3" 2>&1) || true
	echo "$out"
	[[ $out == *"Connection refused"* ]]
}

# udp_echo NS ADDR PORT SIZE: one datagram of SIZE bytes (fragmented when large) comes back.
udp_echo() {
	local target out
	if [[ $2 == *:* ]]; then target="UDP6:[$2]:$3"; else target="UDP4:$2:$3"; fi
	out=$(head -c "$4" /dev/zero | tr '\0' x |
		timeout 10 nsenter --net="/var/run/netns/$1" socat -b65536 -t3 -T3 - "$target") || return 1
	echo "got ${#out} bytes"
	((${#out} == $4))
}

# metric REASON DIR: packets counted in jl_metrics, summed over CPUs.
metric() {
	local out
	out=$(bpftool -j map lookup pinned "$MAPS/jl_metrics" key hex $(u8 "$1") $(u8 "$2") 00 00 2>/dev/null) || {
		echo 0
		return
	}
	grep -o '"count":[0-9]*' <<<"$out" | awk -F: '{ s += $2 } END { print s + 0 }'
}

# expect_event PATTERN description: a drop notification matching PATTERN is in jl_events
# (consumes all waiting notifications).
expect_event() {
	local events
	events=$("$WORK/ringbuf_reader" "$MAPS/jl_events")
	vlog "events: ${events//$'\n'/ | }"
	if grep -Eq "$1" <<<"$events"; then
		pass "$2: $(grep -E "$1" <<<"$events" | head -1)"
	else
		fail "$2 (no event matching '$1' in: ${events//$'\n'/ | })"
	fi
}

expect_metric_grows() { # expect_metric_grows REASON DIR BEFORE description
	local now
	now=$(metric "$1" "$2")
	if ((now > $3)); then pass "$4 (jl_metrics reason $1 dir $2: $3 -> $now)"; else fail "$4 (jl_metrics reason $1 dir $2 stayed at $now)"; fi
}

# ---- build and load ----

log "building"
make -s -C "$BPF_DIR" OUT="$WORK/out"
OBJ=$WORK/out/bpf_lxc.o
[[ -f $OBJ ]] || die "no $OBJ"
# bpftool pins maps by name; a .data/.rodata/.bss map would get a dotted, unpinnable name
if llvm-objdump -h "$OBJ" 2>/dev/null | grep -Eq ' \.(data|rodata|bss)'; then
	die "$OBJ has global data sections"
fi

clang -O2 -Wall -Werror -I/usr/include/$(uname -m)-linux-gnu -I"$BPF_DIR/lib" \
	-o "$WORK/ringbuf_reader" "$BPF_DIR/tests/ringbuf_reader.c"

mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

log "loading $OBJ into $PIN"
bpftool prog loadall "$OBJ" "$PIN" pinmaps "$MAPS" || die "load failed (verifier log above)"
[[ -e $PIN/cil_from_container && -e $PIN/cil_to_container ]] || die "programs not pinned"

# ---- network: two pods routed through the host ----

sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.ipv6.conf.all.forwarding=1

setup_pod() { # setup_pod NS LXC IP4 IP6
	local ns=$1 lxc=$2 ip4=$3 ip6=$4 mac
	ip netns add "$ns"
	ip link add "$lxc" type veth peer name eth0 netns "$ns"
	sysctl -qw "net.ipv6.conf.$lxc.accept_dad=0"
	ip link set "$lxc" up
	mac=$(cat "/sys/class/net/$lxc/address")
	in_ns "$ns" ip link set lo up
	in_ns "$ns" ip link set eth0 up
	in_ns "$ns" ip addr add "$ip4/32" dev eth0
	in_ns "$ns" ip -6 addr add "$ip6/128" dev eth0 nodad
	in_ns "$ns" ip route add 169.254.1.1/32 dev eth0 scope link
	in_ns "$ns" ip route add default via 169.254.1.1 dev eth0
	in_ns "$ns" ip neigh add 169.254.1.1 lladdr "$mac" dev eth0 nud permanent
	in_ns "$ns" ip -6 route add default via fe80::1 dev eth0
	in_ns "$ns" ip -6 neigh add fe80::1 lladdr "$mac" dev eth0 nud permanent
	ip route add "$ip4/32" dev "$lxc"
	ip -6 route add "$ip6/128" dev "$lxc"
}

log "creating pods $NS1 ($IP1, $IP61) and $NS2 ($IP2, $IP62)"
setup_pod "$NS1" "$LXC1" "$IP1" "$IP61"
setup_pod "$NS2" "$LXC2" "$IP2" "$IP62"
in_ns "$NS1" ip addr add "$SPOOF4/32" dev eth0 # a source address the endpoint does not own

# ---- maps ----

endpoint() { # endpoint LXC NS EP_ID SEC_ID IP4 IP6
	local ifindex podmac hostmac
	ifindex=$(cat "/sys/class/net/$1/ifindex")
	hostmac=$(cat "/sys/class/net/$1/address")
	podmac=$(in_ns "$2" cat /sys/class/net/eth0/address)
	bpftool map update pinned "$MAPS/jl_endpoints" key hex $(le32 "$ifindex") \
		value hex $(le32 "$3") $(le32 "$4") $(le32 0) $(le32 "$ifindex") $(ip4hex "$5") \
		$(ip6hex "$6") $(machex "$podmac") $(machex "$hostmac")
}

ipcache() { # ipcache PREFIX/LEN IDENTITY
	local addr=${1%/*} len=${1#*/} family ip
	if [[ $addr == *:* ]]; then
		family=2 ip=$(ip6hex "$addr")
	else
		family=1 ip="$(ip4hex "$addr") $(zeros 12)"
	fi
	bpftool map update pinned "$MAPS/jl_ipcache" key hex $(le32 $((32 + len))) $(u8 $family) 00 00 00 $ip \
		value hex $(le32 "$2") $(zeros 8)
}

# A fresh (empty) policy map for an endpoint, swapped into jl_policy atomically like the agent does.
POLICY_GEN=0
policy_new() { # policy_new EP_ID -> sets POLICY to the new map's pin
	POLICY_GEN=$((POLICY_GEN + 1))
	POLICY=$PIN/policy_$1_$POLICY_GEN
	bpftool map create "$POLICY" type lpm_trie key 12 value 24 entries 16384 name "jlpol_$1" flags 1
}
policy_install() { # policy_install EP_ID
	bpftool map update pinned "$MAPS/jl_policy" key hex $(le32 "$1") value pinned "$POLICY"
}
# rule PREFIX LABEL EGRESS PROTO PORT [deny]
rule() {
	local flags=0
	[[ ${6:-} == deny ]] && flags=1
	bpftool map update pinned "$POLICY" key hex $(le32 "$1") $(le32 "$2") $(u8 "$3") $(u8 "$4") $(be16 "$5") \
		value hex 00 00 $(u8 $flags) 00 $(le32 7) $(zeros 16)
}
allow_all() { # allow_all EP_ID: enforcement off in both directions
	policy_new "$1"
	rule 40 0 0 0 0
	rule 40 0 1 0 0
	policy_install "$1"
}

endpoint "$LXC1" "$NS1" $EP1 $ID1 $IP1 $IP61
endpoint "$LXC2" "$NS2" $EP2 $ID2 $IP2 $IP62
ipcache 0.0.0.0/0 $WORLD
ipcache ::/0 $WORLD
ipcache $IP1/32 $ID1
ipcache $IP2/32 $ID2
ipcache $IP61/128 $ID1
ipcache $IP62/128 $ID2

# ---- attach ----

for lxc in "$LXC1" "$LXC2"; do
	tc qdisc add dev "$lxc" clsact
	tc filter add dev "$lxc" ingress bpf da pinned "$PIN/cil_from_container"
	tc filter add dev "$lxc" egress bpf da pinned "$PIN/cil_to_container"
done

# ---- servers in pod 2 (pod 1 answers pings only) ----

serve() { # serve NS PORT ADDRESS...
	setsid nsenter --net="/var/run/netns/$1" socat "TCP6-LISTEN:$2,ipv6only=0,reuseaddr,fork" "$3" 2>/dev/null &
	PIDS+=($!)
}
serve "$NS2" 80 "SYSTEM:echo hello-80"
serve "$NS2" 81 "SYSTEM:echo hello-81"
serve "$NS2" 8080 "EXEC:cat"
setsid nsenter --net="/var/run/netns/$NS2" socat -b65536 -T2 UDP6-RECVFROM:5000,ipv6only=0,reuseaddr,fork EXEC:cat 2>/dev/null &
PIDS+=($!)
for port in 80 81 8080 5000; do # wait for the listeners
	for _ in $(seq 50); do
		in_ns "$NS2" ss -Hltun "sport = :$port" | grep -q . && break
		sleep 0.1
	done
done

# ---- phase 1: no enforcement ----

log "phase 1: allow-all policy on both pods"
allow_all $EP1
allow_all $EP2

expect ok "IPv4 ping pod1 -> pod2" ping4 "$NS1" $IP2
expect ok "IPv4 ping pod2 -> pod1" ping4 "$NS2" $IP1
expect ok "IPv6 ping pod1 -> pod2" ping6 "$NS1" $IP62
expect ok "IPv6 ping pod2 -> pod1" ping6 "$NS2" $IP61
expect ok "IPv4 TCP pod1 -> pod2:80" tcp "$NS1" $IP2 80
expect ok "IPv6 TCP pod1 -> pod2:80" tcp "$NS1" $IP62 80
expect ok "IPv4 TCP pod1 -> pod2:81" tcp "$NS1" $IP2 81
expect ok "IPv4 UDP pod1 -> pod2:5000" udp_echo "$NS1" $IP2 5000 100
expect ok "IPv6 UDP pod1 -> pod2:5000" udp_echo "$NS1" $IP62 5000 100

before=$(metric 132 2)
expect fail "spoofed IPv4 source from pod1 is dropped" in_ns "$NS1" ping -4 -n -c1 -W1 -I $SPOOF4 $IP2
expect_metric_grows 132 2 "$before" "DROP_INVALID_SIP counted"
expect_event "^type=1 reason=132 source=$EP1 dir=2 src_label=$ID1 dst_label=$ID2 dst_id=0 file=2 .* ethertype=0800" \
	"drop notification for the spoofed packet"

# A long-lived connection opened now must survive the policy change below.
mkfifo "$WORK/go"
nsenter --net="/var/run/netns/$NS1" bash -c '
	exec 3<>/dev/tcp/'"$IP2"'/8080 || exit 1
	echo one >&3; read -r -t 5 line <&3; echo "$line" >"'"$WORK"'/est1"
	read -r _ <"'"$WORK"'/go"
	echo two >&3; read -r -t 5 line <&3; echo "$line" >"'"$WORK"'/est2"' &
LONG_PID=$!
PIDS+=($LONG_PID)
for _ in $(seq 50); do [[ -s $WORK/est1 ]] && break; sleep 0.1; done
if [[ $(cat "$WORK/est1" 2>/dev/null) == one ]]; then pass "long-lived TCP connection pod1 -> pod2:8080 open"; else fail "long-lived TCP connection pod1 -> pod2:8080 open"; fi

# ---- phase 2: pod2 accepts only TCP 80 from pod1's identity ----

log "phase 2: pod2 ingress allows only TCP/80 from identity $ID1"
policy_new $EP2
rule 40 0 1 0 0         # egress: anything
rule 64 $ID1 0 6 80     # ingress: TCP 80 from pod1
rule 64 $ID1 0 17 5000  # ingress: UDP 5000 from pod1 (for fragments)
policy_install $EP2

expect ok "IPv4 TCP pod1 -> pod2:80" tcp "$NS1" $IP2 80
expect ok "IPv6 TCP pod1 -> pod2:80" tcp "$NS1" $IP62 80
before=$(metric 133 1)
expect fail "IPv4 TCP pod1 -> pod2:81 dropped" tcp "$NS1" $IP2 81
expect_metric_grows 133 1 "$before" "DROP_POLICY counted for TCP/81"
expect_event "^type=1 reason=133 source=$EP2 dir=1 src_label=$ID1 dst_label=$ID2 dst_id=$EP2 file=123 line=[0-9]+ ifindex=$(cat /sys/class/net/$LXC2/ifindex) len_orig=74 len_cap=74 version=1 ethertype=0800" \
	"drop notification for TCP/81"
expect fail "IPv6 TCP pod1 -> pod2:81 dropped" tcp "$NS1" $IP62 81
expect fail "IPv4 ping pod1 -> pod2 dropped" ping4 "$NS1" $IP2 1
expect fail "IPv6 ping pod1 -> pod2 dropped" ping6 "$NS1" $IP62 1
expect ok "IPv4 ping pod2 -> pod1 (reply allowed by conntrack)" ping4 "$NS2" $IP1
expect ok "IPv6 ping pod2 -> pod1 (reply allowed by conntrack)" ping6 "$NS2" $IP61

# Later fragments carry no ports: they must inherit the first fragment's tuple and verdict.
expect ok "IPv4 UDP pod1 -> pod2:5000, 4000-byte datagram (fragmented)" udp_echo "$NS1" $IP2 5000 4000
expect ok "IPv6 UDP pod1 -> pod2:5000, 4000-byte datagram (fragmented)" udp_echo "$NS1" $IP62 5000 4000
expect fail "IPv4 UDP pod1 -> pod2:5001 dropped" udp_echo "$NS1" $IP2 5001 100

timeout 5 bash -c 'echo go >"$1"' _ "$WORK/go" || true
wait $LONG_PID || true
if [[ $(cat "$WORK/est2" 2>/dev/null) == two ]]; then
	pass "established pod1 -> pod2:8080 survives the policy change"
else
	fail "established pod1 -> pod2:8080 survives the policy change"
fi

# Neighbour discovery under policy: forget the host's neighbours of pod2 and talk again.
ip neigh flush dev $LXC2
ip -6 neigh flush dev $LXC2
in_ns "$NS2" ip -6 neigh flush dev eth0
expect ok "IPv6 TCP pod1 -> pod2:80 after neighbour flush" tcp "$NS1" $IP62 80
expect ok "IPv4 TCP pod1 -> pod2:80 after neighbour flush" tcp "$NS1" $IP2 80
if ip -6 neigh show dev $LXC2 | grep -q "^$IP62 .*lladdr"; then
	pass "IPv6 neighbour discovery resolved pod2 under policy"
else
	fail "IPv6 neighbour discovery resolved pod2 under policy ($(ip -6 neigh show dev $LXC2 | tr '\n' ';'))"
fi

# ---- phase 3: pod1 accepts nothing; replies and related ICMP errors still reach it ----

log "phase 3: pod1 ingress empty, pod2 ingress allows TCP/80, UDP/5353, echo requests from $ID1"
policy_new $EP1
rule 40 0 1 0 0
policy_install $EP1
policy_new $EP2
rule 40 0 1 0 0
rule 64 $ID1 0 6 80
rule 64 $ID1 0 17 5353
rule 64 $ID1 0 1 $((8 << 8))     # ICMP echo request
rule 64 $ID1 0 58 $((128 << 8))  # ICMPv6 echo request
policy_install $EP2

expect ok "IPv4 TCP pod1 -> pod2:80 (replies pass pod1's empty ingress)" tcp "$NS1" $IP2 80
expect fail "IPv4 ping pod2 -> pod1 dropped" ping4 "$NS2" $IP1 1
expect ok "ICMP port unreachable from pod2 reaches pod1 (related)" udp_refused "$NS1" $IP2 5353
# Fragmented echo requests need the policy port (ICMP type) of their first fragment, and
# fragmented replies the conntrack tuple of theirs, to get through.
expect ok "IPv4 ping -s 3000 pod1 -> pod2 (ICMP echo allowed, fragmented)" in_ns "$NS1" ping -4 -n -c1 -W2 -s 3000 $IP2
expect ok "IPv6 ping -s 3000 pod1 -> pod2 (ICMPv6 echo allowed, fragmented)" in_ns "$NS1" ping -6 -n -c1 -W2 -s 3000 $IP62

# ---- phase 4: a deny for any identity wins over an allow for pod1 ----

log "phase 4: pod2 ingress denies TCP from anyone, allows TCP/80 from $ID1"
policy_new $EP2
rule 40 0 1 0 0
rule 64 $ID1 0 6 80
rule 48 0 0 6 0 deny
policy_install $EP2

before=$(metric 181 1)
expect fail "IPv4 TCP pod1 -> pod2:80 denied" tcp "$NS1" $IP2 80
expect_metric_grows 181 1 "$before" "DROP_POLICY_DENY counted"

# ---- phase 5: no policy map at all fails closed ----

bpftool map delete pinned "$MAPS/jl_policy" key hex $(le32 $EP2)
expect fail "IPv4 TCP pod1 -> pod2:80 without a policy map" tcp "$NS1" $IP2 80

fwd_in=$(metric 0 1)
fwd_out=$(metric 0 2)
if ((fwd_in > 0 && fwd_out > 0)); then
	pass "forwarded packets counted (ingress $fwd_in, egress $fwd_out)"
else
	fail "forwarded packets counted (ingress $fwd_in, egress $fwd_out)"
fi

log "jl_metrics:"
bpftool map dump pinned "$MAPS/jl_metrics" | grep -E '"(reason|dir)"' | paste - - | sed 's/^/smoke:   /'

log "$PASSED passed, $FAILED failed"
((FAILED == 0))
