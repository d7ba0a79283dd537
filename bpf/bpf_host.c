// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * Node devices: tc programs on the devices that face the world (eth0 and the like, or the
 * devices --devices names). They load-balance the traffic that never meets the socket hooks:
 * packets from outside the node to a NodePort, an external IP or a LoadBalancer IP.
 *
 * cil_from_netdev (tc ingress) looks the destination up as a frontend (exact address, then the
 * NodePort wildcard when the destination is a node address), keeps a connection on its backend
 * through an LB_CT_SERVICE entry, selects a backend for a new one (random slot, Maglev table,
 * client-address affinity), rewrites the destination to it and records an LB_CT_REVNAT entry
 * for the reply. cil_to_netdev (tc egress) finds replies by that entry and rewrites their source
 * back to the frontend the client used. A frontend without backends is refused: TCP SYN -> RST,
 * other packets -> ICMP port unreachable, counted and notified as DROP_NO_SERVICE.
 * ClusterIP frontends are not served from outside. Everything else passes untouched.
 */
#include "common.h"
#include "eth.h"
#include "ip.h"
#include "frag.h"
#include "ipcache.h"
#include "metrics.h"
#include "notify.h"
#include "jhash.h"
#include "nat.h"
#include "reject.h"
#include "lb.h"

#undef JL_FILE
#define JL_FILE JL_FILE_BPF_HOST

/* Lifetimes of per-packet translated connections (Cilium's CT defaults), seconds of idle. */
/* Cilium's default --bpf-lb-maglev-table-size; the loader sets the real one. */
#define LB_MAGLEV_DEFAULT_SIZE 16381

#define LB_CT_LIFETIME_TCP 21600
#define LB_CT_LIFETIME_NONTCP 60
#define LB_CT_CLOSE_TIMEOUT 10
/* Entries are refreshed at most this often: one map write per connection and interval. */
#define LB_CT_REFRESH_INTERVAL 30

/*
 * Size M of every Maglev table (--bpf-lb-maglev-table-size), set by the loader in .rodata before
 * load. Frozen read-only data is a constant to the verifier, which therefore knows the bound of
 * a table index; the loader gives the inner map a value of exactly M backend ids.
 */
const volatile __u32 lb_maglev_size = LB_MAGLEV_DEFAULT_SIZE;

struct lb_maglev_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__uint(value_size, LB_MAGLEV_DEFAULT_SIZE * sizeof(__u32));
	__uint(max_entries, 1);
};

/* rev_nat_index -> the service's Maglev table (backend ids) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u16);
	__uint(max_entries, LB_MAGLEV_MAP_SIZE);
	__array(values, struct lb_maglev_inner);
} jl_lb4_maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__type(key, __u16);
	__uint(max_entries, LB_MAGLEV_MAP_SIZE);
	__array(values, struct lb_maglev_inner);
} jl_lb6_maglev SEC(".maps");

/* A frontend a packet is addressed to: its service entry (slot 0) and the key it matched under
 * (address 0 for the NodePort wildcard), which the slot lookups take. */
struct host_frontend {
	struct lb_service svc;
	union {
		struct lb4_key k4;
		struct lb6_key k6;
	} key;
};

struct host_backend {
	union jl_addr addr;
	__be16 port;
	__u8 state; /* LB_BACKEND_* */
};

/* The frontend of a packet from outside (exact, else the NodePort of a node address), unless it
 * is a ClusterIP: those are served to the node and its pods only, by the socket hooks. */
static __always_inline int host_frontend(const __u8 family, const struct pkt *p,
					 struct host_frontend *fe)
{
	const struct lb_service *svc;

	__builtin_memset(&fe->key, 0, sizeof(fe->key));
	if (family == ENDPOINT_KEY_IPV4) {
		fe->key.k4.address = p->t.daddr.v4;
		fe->key.k4.dport = p->t.dport;
		fe->key.k4.proto = p->t.nexthdr;
		svc = lb4_lookup_service(&fe->key.k4);
	} else {
		__builtin_memcpy(fe->key.k6.address, p->t.daddr.b, 16);
		fe->key.k6.dport = p->t.dport;
		fe->key.k6.proto = p->t.nexthdr;
		svc = lb6_lookup_service(&fe->key.k6);
	}
	if (!svc || (svc->flags & LB_SVC_F_CLUSTERIP))
		return 0;
	fe->svc = *svc;
	return 1;
}

static __always_inline int host_backend_get(const __u8 family, __u32 id, struct host_backend *be)
{
	if (family == ENDPOINT_KEY_IPV4) {
		const struct lb4_backend *b = lb4_lookup_backend(id);

		if (!b)
			return 0;
		__builtin_memset(&be->addr, 0, sizeof(be->addr));
		be->addr.v4 = b->address;
		be->port = b->port;
		be->state = b->state;
	} else {
		const struct lb6_backend *b = lb6_lookup_backend(id);

		if (!b)
			return 0;
		__builtin_memcpy(be->addr.b, b->address, 16);
		be->port = b->port;
		be->state = b->state;
	}
	return 1;
}

/* The backend id in the service's Maglev table at the connection's hash, 0 if no table. */
static __always_inline __u32 host_maglev(const __u8 family, const struct pkt *p,
					 __u16 rev_nat_index)
{
	__u32 zero = 0, idx;
	const __u32 *table;
	void *inner;

	inner = bpf_map_lookup_elem(family == ENDPOINT_KEY_IPV4 ? (void *)&jl_lb4_maglev
								: (void *)&jl_lb6_maglev,
				    &rev_nat_index);
	if (!inner)
		return 0;
	table = bpf_map_lookup_elem(inner, &zero);
	if (!table)
		return 0;
	idx = lb_tuple_hash(&p->t.saddr, family, p->t.sport, p->t.dport, p->t.nexthdr) %
	      lb_maglev_size;
	if (idx >= lb_maglev_size) /* a bound the verifier can see */
		return 0;
	return table[idx];
}

union host_affinity_key {
	struct lb4_affinity_key k4;
	struct lb6_affinity_key k6;
};

#define HOST_AFFINITY_MAP(family)                                                                  \
	((family) == ENDPOINT_KEY_IPV4 ? (void *)&jl_lb4_affinity : (void *)&jl_lb6_affinity)

/*
 * A backend for a new connection, as Cilium chooses: the client address's backend of an
 * affinity service while it is active and its timeout has not passed; else the Maglev table's
 * backend for the connection's hash when the service has one (and that backend exists); else a
 * random slot. Returns the backend id (0: none usable) and the backend in *be.
 */
static __always_inline __u32 host_select(const __u8 family, const struct pkt *p,
					 struct host_frontend *fe, struct host_backend *be)
{
	int affinity = fe->svc.flags & LB_SVC_F_AFFINITY;
	union host_affinity_key ak = {};
	__u16 slot;
	__u32 id = 0;

	if (affinity) {
		if (family == ENDPOINT_KEY_IPV4) {
			__builtin_memcpy(&ak.k4.client, &p->t.saddr.v4, 4);
			ak.k4.rev_nat_index = fe->svc.rev_nat_index;
		} else {
			__builtin_memcpy(ak.k6.client, p->t.saddr.b, 16);
			ak.k6.rev_nat_index = fe->svc.rev_nat_index;
		}
		id = lb_affinity_backend_id(HOST_AFFINITY_MAP(family), &ak, &fe->svc);
		if (id && (!host_backend_get(family, id, be) || be->state != LB_BACKEND_ACTIVE))
			id = 0;
	}
	if (!id && (fe->svc.flags & LB_SVC_F_MAGLEV)) {
		id = host_maglev(family, p, fe->svc.rev_nat_index);
		/* a table not yet rewritten after a backend went away: fall back to the slots */
		if (id && !host_backend_get(family, id, be))
			id = 0;
	}
	if (!id) {
		slot = lb_select_slot(&fe->svc, bpf_get_prandom_u32());
		id = family == ENDPOINT_KEY_IPV4 ? lb4_slot_backend_id(&fe->key.k4, slot)
						 : lb6_slot_backend_id(&fe->key.k6, slot);
		if (!id || !host_backend_get(family, id, be))
			return 0;
	}
	if (affinity)
		lb_affinity_record(HOST_AFFINITY_MAP(family), &ak, id);
	return id;
}

union host_ct_key {
	struct lb4_ct_key k4;
	struct lb6_ct_key k6;
};

static __always_inline void host_ct_key(union host_ct_key *k, const __u8 family,
					const union jl_addr *saddr, const union jl_addr *daddr,
					__be16 sport, __be16 dport, __u8 proto, __u8 dir)
{
	__builtin_memset(k, 0, sizeof(*k));
	if (family == ENDPOINT_KEY_IPV4) {
		k->k4.saddr = saddr->v4;
		k->k4.daddr = daddr->v4;
		k->k4.sport = sport;
		k->k4.dport = dport;
		k->k4.proto = proto;
		k->k4.dir = dir;
	} else {
		__builtin_memcpy(k->k6.saddr, saddr->b, 16);
		__builtin_memcpy(k->k6.daddr, daddr->b, 16);
		k->k6.sport = sport;
		k->k6.dport = dport;
		k->k6.proto = proto;
		k->k6.dir = dir;
	}
}

#define HOST_CT_MAP(family)                                                                        \
	((family) == ENDPOINT_KEY_IPV4 ? (void *)&jl_lb4_ct : (void *)&jl_lb6_ct)

static __always_inline __u32 host_ct_lifetime(const struct pkt *p, __u32 now)
{
	if (p->t.nexthdr != IPPROTO_TCP)
		return now + LB_CT_LIFETIME_NONTCP;
	if (p->tcp_flags & TCP_FLAG_RST)
		return now + LB_CT_CLOSE_TIMEOUT;
	return now + LB_CT_LIFETIME_TCP;
}

static __always_inline int host_ct_stale(const struct lb_ct_entry *e, __u32 lifetime)
{
	return e->lifetime + LB_CT_REFRESH_INTERVAL < lifetime;
}

/*
 * Records both directions of a translated connection: the client's tuple -> the backend, and
 * the backend's reply tuple -> the frontend the client addressed (for a NodePort: the node
 * address it used).
 */
static __always_inline int host_ct_record(const __u8 family, const struct pkt *p,
					  const struct host_frontend *fe, __u32 backend_id,
					  const struct host_backend *be, __u32 lifetime)
{
	struct lb_ct_entry svc = {
		.backend_id = backend_id,
		.rev_nat_index = fe->svc.rev_nat_index,
		.lifetime = lifetime,
	};
	struct lb_ct_entry rev = {
		.rev_nat_index = fe->svc.rev_nat_index,
		.nat_port = p->t.dport,
		.lifetime = lifetime,
	};
	union host_ct_key k;

	__builtin_memcpy(rev.nat_addr, p->t.daddr.b, 16);
	host_ct_key(&k, family, &be->addr, &p->t.saddr, be->port, p->t.sport, p->t.nexthdr,
		    LB_CT_REVNAT);
	if (bpf_map_update_elem(HOST_CT_MAP(family), &k, &rev, BPF_ANY) < 0)
		return -1;
	host_ct_key(&k, family, &p->t.saddr, &p->t.daddr, p->t.sport, p->t.dport, p->t.nexthdr,
		    LB_CT_SERVICE);
	return bpf_map_update_elem(HOST_CT_MAP(family), &k, &svc, BPF_ANY);
}

/*
 * Ingress: translates a packet to a frontend. Returns TC_ACT_OK (translated or not ours) or a
 * negative drop reason; DROP_NO_SERVICE for a frontend without backends.
 */
static __always_inline int host_lb_ingress(struct __sk_buff *skb, const __u8 family, struct pkt *p,
					   struct drop_site *site)
{
	struct host_frontend fe;
	struct host_backend be;
	const struct lb_ct_entry *e;
	union host_ct_key k;
	__u32 now, lifetime, backend_id = 0;
	int record = 1;

	if (!host_frontend(family, p, &fe))
		return TC_ACT_OK;
	if (fe.svc.count == 0)
		return DROP_AT(site, DROP_NO_SERVICE);

	now = now_sec();
	lifetime = host_ct_lifetime(p, now);
	host_ct_key(&k, family, &p->t.saddr, &p->t.daddr, p->t.sport, p->t.dport, p->t.nexthdr,
		    LB_CT_SERVICE);
	e = bpf_map_lookup_elem(HOST_CT_MAP(family), &k);
	if (e && e->lifetime >= now && e->rev_nat_index == fe.svc.rev_nat_index &&
	    host_backend_get(family, e->backend_id, &be) &&
	    /* a new connection on a reused tuple avoids a terminating backend */
	    !(be.state != LB_BACKEND_ACTIVE && (p->tcp_flags & TCP_FLAG_SYN))) {
		backend_id = e->backend_id;
		record = host_ct_stale(e, lifetime) || (p->tcp_flags & TCP_FLAG_RST);
	} else if (p->frag == FRAG_LATER) {
		return TC_ACT_OK; /* its first fragment was not translated here */
	}

	if (!backend_id) {
		backend_id = host_select(family, p, &fe, &be);
		if (!backend_id)
			return DROP_AT(site, DROP_NO_SERVICE);
	}
	if (record && host_ct_record(family, p, &fe, backend_id, &be, lifetime) < 0)
		return DROP_AT(site, DROP_CT_CREATE_FAILED);
	return nat_rewrite(skb, family, p, NAT_DST, &be.addr, be.port, site);
}

/* Egress: a backend's reply to a translated connection leaves with the frontend as source. */
static __always_inline int host_lb_egress(struct __sk_buff *skb, const __u8 family, struct pkt *p,
					  struct drop_site *site)
{
	struct lb_ct_entry *e;
	union host_ct_key k;
	union jl_addr from;
	__u32 now, lifetime;

	host_ct_key(&k, family, &p->t.saddr, &p->t.daddr, p->t.sport, p->t.dport, p->t.nexthdr,
		    LB_CT_REVNAT);
	e = bpf_map_lookup_elem(HOST_CT_MAP(family), &k);
	if (!e)
		return TC_ACT_OK;
	now = now_sec();
	if (e->lifetime < now)
		return TC_ACT_OK;
	lifetime = host_ct_lifetime(p, now);
	if (host_ct_stale(e, lifetime) || (p->tcp_flags & TCP_FLAG_RST))
		e->lifetime = lifetime; /* in place: the entry is the map's */
	__builtin_memcpy(from.b, e->nat_addr, 16);
	return nat_rewrite(skb, family, p, NAT_SRC, &from, e->nat_port, site);
}

static __always_inline int host_parse(struct __sk_buff *skb, const __u8 family, struct pkt *p,
				      struct drop_site *site)
{
	int ret;

	if (family == ENDPOINT_KEY_IPV4)
		ret = parse_ipv4(skb, p, site);
	else
		ret = parse_ipv6(skb, p, site);
	if (ret < 0 || (p->t.nexthdr != IPPROTO_TCP && p->t.nexthdr != IPPROTO_UDP))
		return -1;
	if (parse_l4(skb, p, site) < 0 || frag_track(p, site) < 0)
		return -1;
	return 0;
}

/*
 * The steps below are global functions: the verifier checks each once, on its own, instead of
 * once per path that reaches it, and their stacks do not add up. Each dispatches on the family
 * to a copy of the inlined code specialised for it.
 */
#define HOST_SUBPROG __attribute__((noinline))

HOST_SUBPROG int host_ingress(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	if (!p || !site)
		return TC_ACT_OK;
	if (p->t.family == ENDPOINT_KEY_IPV4)
		return host_lb_ingress(skb, ENDPOINT_KEY_IPV4, p, site);
	return host_lb_ingress(skb, ENDPOINT_KEY_IPV6, p, site);
}

HOST_SUBPROG int host_egress(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	if (!p || !site)
		return TC_ACT_OK;
	if (p->t.family == ENDPOINT_KEY_IPV4)
		return host_lb_egress(skb, ENDPOINT_KEY_IPV4, p, site);
	return host_lb_egress(skb, ENDPOINT_KEY_IPV6, p, site);
}

/* Counts and notifies a drop (reason: the negative DROP_* value). */
HOST_SUBPROG int host_drop(struct __sk_buff *skb, const struct pkt *p, const struct drop_site *site,
			   int reason, __u8 dir)
{
	struct drop_info d = {
		.reason = (__u8)-reason,
		.dir = dir,
	};

	if (!p || !site)
		return 0;
	d.site = *site;
	d.src_label = ipcache_identity(&p->t.saddr, p->t.family);
	metrics_update(d.reason, dir, skb->len);
	send_drop_notify(skb, &d);
	return 0;
}

/* Answers a packet to a frontend without backends; returns the tc verdict. */
HOST_SUBPROG int host_reject(struct __sk_buff *skb, const struct pkt *p)
{
	if (!p)
		return TC_ACT_SHOT;
	if (p->t.family == ENDPOINT_KEY_IPV4)
		return reject_send(skb, ENDPOINT_KEY_IPV4, p);
	return reject_send(skb, ENDPOINT_KEY_IPV6, p);
}

static __always_inline int host_handle(struct __sk_buff *skb, const __u8 family, const __u8 dir)
{
	struct drop_site site = {};
	struct pkt p = {};
	int ret;

	/* what is not TCP or UDP in a well-formed packet is the stack's business */
	if (host_parse(skb, family, &p, &site) < 0)
		return TC_ACT_OK;
	if (dir == METRIC_INGRESS)
		ret = host_ingress(skb, &p, &site);
	else
		ret = host_egress(skb, &p, &site);
	if (ret >= 0)
		return TC_ACT_OK;
	host_drop(skb, &p, &site, ret, dir);
	return ret == DROP_NO_SERVICE ? host_reject(skb, &p) : TC_ACT_SHOT;
}

static __always_inline int host_dispatch(struct __sk_buff *skb, const __u8 dir)
{
	switch (eth_l3_proto(skb)) {
	case ETH_P_IP:
		return host_handle(skb, ENDPOINT_KEY_IPV4, dir);
	case ETH_P_IPV6:
		return host_handle(skb, ENDPOINT_KEY_IPV6, dir);
	default:
		return TC_ACT_OK;
	}
}

SEC("tc")
int cil_from_netdev(struct __sk_buff *skb)
{
	return host_dispatch(skb, METRIC_INGRESS);
}

SEC("tc")
int cil_to_netdev(struct __sk_buff *skb)
{
	return host_dispatch(skb, METRIC_EGRESS);
}

char _license[] SEC("license") = "GPL";
