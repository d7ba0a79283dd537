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
#define EVENTS_RING_SIZE (4 * 1024 * 1024)

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
	__u8 flags;
};

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

#define JILIUM_NOTIFY_DROP 1 /* same type number as Cilium's CILIUM_NOTIFY_DROP */
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

/* notifications that did not fit into jl_events, per CPU, index 0 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} jl_lost_events SEC(".maps");

#endif /* JILIUM_MAPS_H */
