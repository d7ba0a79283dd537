/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The maps shared by Jilium's datapath programs and the agent. Every struct here is a contract
 * with a Java layout in jilium-bpf (io.jilium.bpf.maps); a test checks both against the BTF
 * of the compiled objects, so change them together.
 */
#ifndef JILIUM_MAPS_H
#define JILIUM_MAPS_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ENDPOINTS_MAP_SIZE 65535
#define IPCACHE_MAP_SIZE 512000
#define POLICY_MAP_SIZE 16384
#define POLICY_MAPS_OUTER_SIZE 65535
#define CT_MAP_SIZE 262144
#define METRICS_MAP_SIZE 1024
#define EVENTS_RING_SIZE (8 * 1024 * 1024) /* ~45k notifications: bursts and GC pauses */
#define LB_SERVICES_MAP_SIZE 65536  /* frontends x (1 + backend slots) */
#define LB_BACKENDS_MAP_SIZE 65536
#define LB_REVNAT_MAP_SIZE 65536
#define LB_MAGLEV_MAP_SIZE 65536    /* services with a Maglev table */
#define LB_AFFINITY_MAP_SIZE 65536
#define LB_CT_MAP_SIZE 262144       /* per-packet translated connections, both directions */
#define LB_SOCK_REVNAT_SIZE 262144  /* sockets translated at connect/sendmsg */
#define LB_NETNS_MAP_SIZE 65536     /* network namespaces whose sockets are translated */

/* ---- endpoints: host-side veth ifindex -> endpoint ---- */

struct endpoint_key {
	__u32 ifindex;
};

#define ENDPOINT_F_HOST 0x1 /* reserved for the host endpoint */

struct endpoint_info {
	__u32 ep_id;    /* endpoint id, 1..65535 */
	__u32 sec_id;   /* security identity of the endpoint */
	__u32 flags;    /* ENDPOINT_F_* */
	__u32 ifindex;  /* host-side veth */
	__be32 ipv4;    /* the endpoint's IPv4 address, 0 if none */
	__u8 ipv6[16];  /* the endpoint's IPv6 address, all zero if none */
	__u8 mac[6];    /* pod side MAC */
	__u8 node_mac[6]; /* host side MAC */
};

/* ---- ipcache: LPM prefix -> identity ---- */

struct ipcache_key {
	__u32 lpm_key;  /* prefix length over the bits after this field: 32 + address bits */
	__u8 family;    /* ENDPOINT_KEY_IPV4 / ENDPOINT_KEY_IPV6 */
	__u8 pad1;
	__u16 cluster_id;
	__u8 ip[16];    /* IPv4 in the first 4 bytes, network order */
};

#define IPCACHE_PREFIX_STATIC_BITS 32 /* family + pad1 + cluster_id */
#define ENDPOINT_KEY_IPV4 1
#define ENDPOINT_KEY_IPV6 2

struct remote_endpoint_info {
	__u32 sec_identity;
	__be32 tunnel_endpoint; /* 0: not behind a tunnel */
	__u16 pad;
	__u8 key;               /* encryption key index, unused */
	__u8 flags;             /* IPCACHE_F_* */
};

/* A pod of this node: its packets are traced where they are delivered to it (to-endpoint), not
 * also where the sending pod hands them to the stack, as Cilium's local delivery reports them. */
#define IPCACHE_F_LOCAL_ENDPOINT 0x1

/* ---- per-endpoint policy: an LPM trie per endpoint, held in an outer hash by endpoint id ---- */

struct policy_key {
	__u32 lpm_key;   /* prefix length over sec_label..dport: 40 (any proto), 48 (any port), up to 64 */
	__u32 sec_label; /* remote identity; 0 = any identity (a second lookup) */
	__u8 egress;     /* 0 = ingress, 1 = egress */
	__u8 protocol;   /* IPPROTO_*, 0 = any */
	__be16 dport;    /* destination port, network order; ICMP: type in the high byte */
};

#define POLICY_FULL_PREFIX 64
#define POLICY_PROTO_PREFIX 48
#define POLICY_ANY_PREFIX 40

#define POLICY_F_DENY 0x1
#define POLICY_F_PROTO 0x2	/* the entry names a protocol (key prefix covers it) */
#define POLICY_F_PORT 0x4	/* the entry names a port or port range */
#define POLICY_F_UNENFORCED 0x8 /* the agent's allow-all of a direction no policy enforces */

struct policy_entry {
	__be16 proxy_port; /* L7 redirect, 0 = none */
	__u8 flags;        /* POLICY_F_* */
	__u8 auth_type;
	__u32 cookie;      /* control plane's id of the rule(s) that produced this entry */
	__u64 packets;     /* updated atomically by the datapath */
	__u64 bytes;
};

/* ---- connection tracking ---- */

#define CT_EGRESS 0   /* tuple originated at the endpoint (endpoint is the source) */
#define CT_INGRESS 1  /* tuple originated at the remote (endpoint is the destination) */

struct ct_key4 {
	__be32 daddr;
	__be32 saddr;
	__be16 dport;
	__be16 sport;
	__u8 nexthdr;
	__u8 flags;   /* CT_EGRESS / CT_INGRESS */
	__u16 pad;
};

struct ct_key6 {
	__u8 daddr[16];
	__u8 saddr[16];
	__be16 dport;
	__be16 sport;
	__u8 nexthdr;
	__u8 flags;
	__u16 pad;
};

#define CT_F_RX_CLOSING 0x1
#define CT_F_TX_CLOSING 0x2
#define CT_F_SEEN_NON_SYN 0x4

struct ct_entry {
	__u64 tx_packets; /* in the direction of the original tuple */
	__u64 tx_bytes;
	__u64 rx_packets; /* replies */
	__u64 rx_bytes;
	__u32 lifetime;   /* expiry, seconds of CLOCK_MONOTONIC */
	__u16 flags;      /* CT_F_* */
	__u8 tx_flags_seen; /* TCP flags seen in each direction */
	__u8 rx_flags_seen;
	__u32 src_sec_id; /* identity of the remote side when the entry was created */
	__u32 ep_id;      /* endpoint that created the entry */
	__u32 last_tx_report; /* monitor aggregation: seconds of the last trace in each direction */
	__u32 last_rx_report;
};

/* ---- metrics: (reason, direction) -> packets, bytes (per CPU) ---- */

#define METRIC_INGRESS 1
#define METRIC_EGRESS 2

struct metrics_key {
	__u8 reason;  /* 0 = forwarded, else a drop reason (positive DROP_* value) */
	__u8 dir;     /* METRIC_INGRESS / METRIC_EGRESS */
	__u16 pad;
};

struct metrics_value {
	__u64 count;
	__u64 bytes;
};

/* ---- notifications to user space ---- */

#define JILIUM_NOTIFY_DROP 1 /* same type numbers as Cilium's CILIUM_NOTIFY_* */
#define JILIUM_NOTIFY_TRACE 4
#define JILIUM_NOTIFY_POLICY_VERDICT 5
#define NOTIFY_CAPTURE_LEN 128
#define NOTIFY_VERSION 1

struct drop_notify {
	__u8 type;        /* JILIUM_NOTIFY_DROP */
	__u8 subtype;     /* drop reason (positive DROP_* value) */
	__u16 source;     /* endpoint id that observed the drop */
	__u32 hash;       /* skb hash */
	__u32 len_orig;   /* length of the packet */
	__u16 len_cap;    /* bytes of it copied into data */
	__u16 version;    /* NOTIFY_VERSION */
	__u32 src_label;  /* source identity */
	__u32 dst_label;  /* destination identity */
	__u32 dst_id;     /* destination endpoint id, 0 if not a local endpoint */
	__u16 line;       /* source line of the drop */
	__u8 file;        /* source file id of the drop */
	__s8 ext_error;
	__u32 ifindex;
	__u8 dir;         /* METRIC_INGRESS / METRIC_EGRESS, seen from the endpoint */
	__u8 pad[3];
	__u64 ktime;      /* bpf_ktime_get_ns() */
	__u8 data[NOTIFY_CAPTURE_LEN]; /* packet head, from the Ethernet header */
};

/* Observation points (Cilium's TRACE_* numbering), struct trace_notify.subtype. */
#define TRACE_TO_LXC 0
#define TRACE_TO_STACK 3
#define TRACE_FROM_LXC 5

/*
 * A forwarded packet at an observation point. Same header as drop_notify up to version, so the
 * agent dispatches on the first byte.
 */
struct trace_notify {
	__u8 type;        /* JILIUM_NOTIFY_TRACE */
	__u8 subtype;     /* observation point, TRACE_* */
	__u16 source;     /* endpoint id that observed the packet */
	__u32 hash;
	__u32 len_orig;
	__u16 len_cap;
	__u16 version;
	__u32 src_label;  /* source identity */
	__u32 dst_label;  /* destination identity */
	__u16 dst_id;     /* destination endpoint id, 0 if not a local endpoint */
	__u8 reason;      /* TRACE_REASON_*: the connection tracking verdict */
	__u8 flags;
	__u32 ifindex;
	__u32 pad[2];
	__u64 ktime;
	__u8 data[NOTIFY_CAPTURE_LEN];
};

/* Trace reasons (Cilium's: the ct_lookup result). */
#define TRACE_REASON_NEW 0
#define TRACE_REASON_ESTABLISHED 1
#define TRACE_REASON_REPLY 2
#define TRACE_REASON_RELATED 3
#define TRACE_REASON_UNKNOWN 0x7f

/* Match types of a policy verdict (Cilium's POLICY_MATCH_*). */
#define POLICY_MATCH_NONE 0
#define POLICY_MATCH_L3_ONLY 1
#define POLICY_MATCH_L3_L4 2
#define POLICY_MATCH_L4_ONLY 3
#define POLICY_MATCH_ALL 4
#define POLICY_MATCH_L3_PROTO 5
#define POLICY_MATCH_PROTO_ONLY 6

/* The policy decision on a new connection of an endpoint that enforces that direction. */
struct policy_verdict_notify {
	__u8 type;        /* JILIUM_NOTIFY_POLICY_VERDICT */
	__u8 subtype;
	__u16 source;     /* endpoint id */
	__u32 hash;
	__u32 len_orig;
	__u16 len_cap;
	__u16 version;
	__u32 remote_label; /* identity of the other side */
	__s32 verdict;    /* 0: allowed, else the negative drop reason */
	__u16 dst_port;   /* host order; ICMP: type in the high byte */
	__u8 proto;
	__u8 dir;         /* METRIC_INGRESS / METRIC_EGRESS */
	__u8 match_type;  /* POLICY_MATCH_* */
	__u8 audited;
	__u16 pad;
	__u32 ifindex;
	__u32 pad2;
	__u64 ktime;
	__u8 data[NOTIFY_CAPTURE_LEN];
};

/* ---- configuration the agent writes, one entry ---- */

/* --monitor-aggregation levels (Cilium's numbering: lowest 1 and low 2 behave alike) */
#define MONITOR_AGG_NONE 0
#define MONITOR_AGG_LOW 2
#define MONITOR_AGG_MEDIUM 3
#define MONITOR_AGG_MAXIMUM 4

struct lxc_config {
	__u32 monitor_aggregation; /* MONITOR_AGG_* */
	__u32 report_interval;     /* seconds between traces of an active connection (medium) */
	__u8 report_tcp_flags;     /* TCP flags whose first appearance in a direction is traced */
	__u8 trace_enabled;        /* trace events at all (flows can be turned off) */
	__u8 policy_verdict_enabled;
	__u8 pad;
};


/* ---- load balancing (services): the contract with io.jilium.bpf.maps.Lb* ----
 *
 * As in Cilium's lb4_services/lb4_backends/lb4_reverse_nat: a frontend (VIP, port, protocol) has
 * a service entry in slot 0 (count of active backend slots, rev_nat_index = the service id,
 * flags) and one entry per active backend in slots 1..count naming a backend id. The agent
 * writes new slots first, then slot 0, then deletes slots beyond the new count, so a lookup
 * never sees a frontend with missing or partial backends. Terminating backends stay in the
 * backends map (connections that already chose them keep working) but hold no slot.
 */

#define LB_SVC_F_NODEPORT 0x01     /* frontend of a NodePort (address 0: any local address) */
#define LB_SVC_F_EXTERNAL_IP 0x02  /* frontend of an externalIP */
#define LB_SVC_F_AFFINITY 0x04     /* sessionAffinity: ClientIP, timeout in affinity_timeout */
#define LB_SVC_F_LOADBALANCER 0x08 /* frontend of a LoadBalancer ingress IP / loadBalancerIP */
#define LB_SVC_F_CLUSTERIP 0x10    /* frontend of a ClusterIP: not reachable from outside */
#define LB_SVC_F_MAGLEV 0x20       /* per-packet selection through the service's Maglev table */

#define LB_BACKEND_ACTIVE 0
#define LB_BACKEND_TERMINATING 1

struct lb4_key {
	__be32 address;     /* frontend address; 0 with LB_SVC_F_NODEPORT: any node address */
	__be16 dport;       /* frontend port, network order */
	__u16 backend_slot; /* 0: the service entry, 1..count: a backend */
	__u8 proto;         /* IPPROTO_TCP / IPPROTO_UDP */
	__u8 scope;         /* reserved for traffic policies across nodes, 0 */
	__u16 pad;
};

struct lb6_key {
	__u8 address[16];
	__be16 dport;
	__u16 backend_slot;
	__u8 proto;
	__u8 scope;
	__u16 pad;
};

struct lb_service {
	__u32 backend_id;       /* slots 1..count: the backend; slot 0: 0 */
	__u16 count;            /* slot 0: number of active backend slots (0: no backend) */
	__u16 rev_nat_index;    /* the service id: reverse NAT, Maglev and affinity key */
	__u8 flags;             /* LB_SVC_F_* */
	__u8 pad1;
	__u16 pad2;
	__u32 affinity_timeout; /* seconds, with LB_SVC_F_AFFINITY */
};

struct lb4_backend {
	__be32 address;
	__be16 port;  /* network order */
	__u8 proto;
	__u8 state;   /* LB_BACKEND_* */
};

struct lb6_backend {
	__u8 address[16];
	__be16 port;
	__u8 proto;
	__u8 state;
};

/* rev_nat_index -> the frontend a reply must appear to come from */
struct lb4_reverse_nat {
	__be32 address;
	__be16 port;
	__u16 pad;
};

struct lb6_reverse_nat {
	__u8 address[16];
	__be16 port;
	__u16 pad;
};

/* sessionAffinity: (client, service) -> backend. The client is the socket's network namespace
 * cookie at the socket hooks (netns = 1) and the source address per packet (netns = 0). */
struct lb4_affinity_key {
	__u64 client;        /* netns cookie, or the IPv4 address in the first 4 bytes */
	__u16 rev_nat_index;
	__u8 netns;
	__u8 pad1;
	__u32 pad2;
};

struct lb6_affinity_key {
	__u8 client[16];     /* netns cookie in the first 8 bytes, or the IPv6 address */
	__u16 rev_nat_index;
	__u8 netns;
	__u8 pad1;
	__u32 pad2;
};

struct lb_affinity_val {
	__u64 last_used;     /* bpf_ktime_get_ns() / 1e9 */
	__u32 backend_id;
	__u32 pad;
};

/* Socket-level reverse NAT: (socket cookie, backend) -> frontend, for recvmsg/getpeername. */
struct lb4_sock_revnat_key {
	__u64 cookie;
	__be32 address;      /* backend */
	__be16 port;
	__u16 pad;
};

struct lb4_sock_revnat_val {
	__be32 address;      /* frontend */
	__be16 port;
	__u16 rev_nat_index;
};

struct lb6_sock_revnat_key {
	__u64 cookie;
	__u8 address[16];
	__be16 port;
	__u16 pad1;
	__u32 pad2;
};

struct lb6_sock_revnat_val {
	__u8 address[16];
	__be16 port;
	__u16 rev_nat_index;
};

/* Per-packet translated connections (bpf_host). LB_CT_SERVICE: the client's original tuple
 * (client -> frontend) -> chosen backend; LB_CT_REVNAT: the reply tuple (backend -> client) ->
 * the frontend address and port to restore as the reply's source. */
#define LB_CT_SERVICE 0
#define LB_CT_REVNAT 1

struct lb4_ct_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 dir;            /* LB_CT_* */
	__u16 pad;
};

struct lb6_ct_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 dir;
	__u16 pad;
};

struct lb_ct_entry {
	__u32 backend_id;    /* LB_CT_SERVICE */
	__u16 rev_nat_index;
	__be16 nat_port;     /* LB_CT_REVNAT: frontend port */
	__u8 nat_addr[16];   /* LB_CT_REVNAT: frontend address (IPv4 in the first 4 bytes) */
	__u32 lifetime;      /* expiry, seconds of CLOCK_MONOTONIC */
	__u32 flags;         /* LB_CT_F_* */
};

/* The client closed the connection (FIN or RST): a new SYN on the tuple selects afresh. */
#define LB_CT_F_CLOSING 0x1

/* Network namespaces whose sockets the socket hooks translate: the host's and every pod's
 * (network namespace cookie -> LB_NETNS_*). Other namespaces on the machine (an outside client
 * played by a namespace, other software's containers) go through the per-packet path. */
#define LB_NETNS_HOST 1
#define LB_NETNS_POD 2

/* Map definitions. The agent reuses pinned instances of these (bpf_map__reuse_fd) so several
 * programs and restarts share them. */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_info);
	__uint(max_entries, ENDPOINTS_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipcache_key);
	__type(value, struct remote_endpoint_info);
	__uint(max_entries, IPCACHE_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_ipcache SEC(".maps");

struct policy_map_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct policy_key);
	__type(value, struct policy_entry);
	__uint(max_entries, POLICY_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u32); /* endpoint id */
	__uint(max_entries, POLICY_MAPS_OUTER_SIZE);
	__array(values, struct policy_map_inner);
} jl_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key4);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_MAP_SIZE);
} jl_ct4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key6);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_MAP_SIZE);
} jl_ct6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct metrics_key);
	__type(value, struct metrics_value);
	__uint(max_entries, METRICS_MAP_SIZE);
} jl_metrics SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_RING_SIZE);
} jl_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lxc_config);
	__uint(max_entries, 1);
} jl_config SEC(".maps");

/* index 0: 1 while the agent's reader drains jl_events on its own timer (notify.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} jl_events_reader SEC(".maps");

/* notifications that did not fit into jl_events, per CPU, index 0 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} jl_lost_events SEC(".maps");

/* ---- load balancing maps ---- */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb4_key);
	__type(value, struct lb_service);
	__uint(max_entries, LB_SERVICES_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb4_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb6_key);
	__type(value, struct lb_service);
	__uint(max_entries, LB_SERVICES_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb6_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32); /* backend id */
	__type(value, struct lb4_backend);
	__uint(max_entries, LB_BACKENDS_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb4_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb6_backend);
	__uint(max_entries, LB_BACKENDS_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb6_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16); /* rev_nat_index */
	__type(value, struct lb4_reverse_nat);
	__uint(max_entries, LB_REVNAT_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb4_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);
	__type(value, struct lb6_reverse_nat);
	__uint(max_entries, LB_REVNAT_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb6_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_affinity_key);
	__type(value, struct lb_affinity_val);
	__uint(max_entries, LB_AFFINITY_MAP_SIZE);
} jl_lb4_affinity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb6_affinity_key);
	__type(value, struct lb_affinity_val);
	__uint(max_entries, LB_AFFINITY_MAP_SIZE);
} jl_lb6_affinity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_sock_revnat_key);
	__type(value, struct lb4_sock_revnat_val);
	__uint(max_entries, LB_SOCK_REVNAT_SIZE);
} jl_lb4_sock_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb6_sock_revnat_key);
	__type(value, struct lb6_sock_revnat_val);
	__uint(max_entries, LB_SOCK_REVNAT_SIZE);
} jl_lb6_sock_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_ct_key);
	__type(value, struct lb_ct_entry);
	__uint(max_entries, LB_CT_MAP_SIZE);
} jl_lb4_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb6_ct_key);
	__type(value, struct lb_ct_entry);
	__uint(max_entries, LB_CT_MAP_SIZE);
} jl_lb6_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64); /* network namespace cookie */
	__type(value, __u32); /* LB_NETNS_* */
	__uint(max_entries, LB_NETNS_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} jl_lb_netns SEC(".maps");

/*
 * Maglev: rev_nat_index -> an array of one element holding the service's lookup table of
 * lb_maglev_size backend ids (Cilium's layout). The inner map's value size is lb_maglev_size * 4,
 * set by the agent before load (--bpf-lb-maglev-table-size); lb_maglev_size is a read-only global
 * in the programs that use it, so the verifier knows the table's bound.
 */

#endif /* JILIUM_MAPS_H */
