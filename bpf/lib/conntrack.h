/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection tracking. An entry is keyed by the tuple of the connection's first packet and by
 * which side opened it, seen from the endpoint (CT_EGRESS: the endpoint; CT_INGRESS: the
 * remote). Two local pods talking therefore hold one entry each and are policed separately.
 */
#ifndef JILIUM_CONNTRACK_H
#define JILIUM_CONNTRACK_H

#include "common.h"
#include "ip.h"

#undef JL_FILE
#define JL_FILE JL_FILE_CONNTRACK

/* Lifetimes, seconds. */
#define CT_LIFETIME_TCP 21600
#define CT_LIFETIME_TCP_SYN 60
#define CT_LIFETIME_TCP_CLOSE 10
#define CT_LIFETIME_NONTCP 60

#define CT_F_CLOSING (CT_F_RX_CLOSING | CT_F_TX_CLOSING)

enum ct_status {
	CT_NEW = 0,
	CT_ESTABLISHED, /* a packet in the direction of the original tuple */
	CT_REPLY,	/* a packet in the opposite direction */
};

union ct_key {
	struct ct_key4 v4;
	struct ct_key6 v6;
};

/* The other side's CT_EGRESS is our CT_INGRESS. */
static __always_inline __u8 ct_flip(__u8 ct_dir)
{
	return ct_dir == CT_EGRESS ? CT_INGRESS : CT_EGRESS;
}

static __always_inline void ct_key_fill(union ct_key *k, const struct tuple *t, int reverse,
					__u8 ct_dir)
{
	const union jl_addr *s = reverse ? &t->daddr : &t->saddr;
	const union jl_addr *d = reverse ? &t->saddr : &t->daddr;
	__be16 sport = reverse ? t->dport : t->sport;
	__be16 dport = reverse ? t->sport : t->dport;

	if (t->family == ENDPOINT_KEY_IPV4) {
		k->v4.daddr = d->v4;
		k->v4.saddr = s->v4;
		k->v4.dport = dport;
		k->v4.sport = sport;
		k->v4.nexthdr = t->nexthdr;
		k->v4.flags = ct_dir;
		k->v4.pad = 0;
	} else {
		__builtin_memcpy(k->v6.daddr, d->b, 16);
		__builtin_memcpy(k->v6.saddr, s->b, 16);
		k->v6.dport = dport;
		k->v6.sport = sport;
		k->v6.nexthdr = t->nexthdr;
		k->v6.flags = ct_dir;
		k->v6.pad = 0;
	}
}

static __always_inline struct ct_entry *ct_map_lookup(__u8 family, const union ct_key *k)
{
	if (family == ENDPOINT_KEY_IPV4)
		return bpf_map_lookup_elem(&jl_ct4, &k->v4);
	return bpf_map_lookup_elem(&jl_ct6, &k->v6);
}

static __always_inline int ct_map_update(__u8 family, const union ct_key *k,
					 const struct ct_entry *e)
{
	if (family == ENDPOINT_KEY_IPV4)
		return bpf_map_update_elem(&jl_ct4, &k->v4, e, BPF_ANY);
	return bpf_map_update_elem(&jl_ct6, &k->v6, e, BPF_ANY);
}

static __always_inline void ct_map_delete(__u8 family, const union ct_key *k)
{
	if (family == ENDPOINT_KEY_IPV4)
		bpf_map_delete_elem(&jl_ct4, &k->v4);
	else
		bpf_map_delete_elem(&jl_ct6, &k->v6);
}

/* A live entry, or NULL if absent or expired. */
static __always_inline struct ct_entry *ct_find(__u8 family, const union ct_key *k, __u32 now)
{
	struct ct_entry *e = ct_map_lookup(family, k);

	if (e && e->lifetime < now)
		return NULL;
	return e;
}

static __always_inline int pkt_is_tcp(const struct pkt *p)
{
	return p->t.nexthdr == IPPROTO_TCP && p->l4_valid;
}

/* A SYN without ACK: the opening packet of a TCP connection. */
static __always_inline int pkt_is_syn(const struct pkt *p)
{
	return pkt_is_tcp(p) && (p->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* The CT_F_* state after a TCP packet with these flags, in the reply direction or not. */
static __always_inline __u16 ct_tcp_state(__u16 state, __u8 tcp_flags, int reply)
{
	if (tcp_flags & TCP_FLAG_RST)
		state |= CT_F_CLOSING;
	if (tcp_flags & TCP_FLAG_FIN)
		state |= reply ? CT_F_RX_CLOSING : CT_F_TX_CLOSING;
	if (!(tcp_flags & TCP_FLAG_SYN))
		state |= CT_F_SEEN_NON_SYN;
	return state;
}

static __always_inline __u32 ct_lifetime(int tcp, __u16 state)
{
	if (!tcp)
		return CT_LIFETIME_NONTCP;
	if ((state & CT_F_CLOSING) == CT_F_CLOSING)
		return CT_LIFETIME_TCP_CLOSE;
	if (!(state & CT_F_SEEN_NON_SYN))
		return CT_LIFETIME_TCP_SYN;
	return CT_LIFETIME_TCP;
}

/* A SYN on a connection that both sides closed opens a new one with the same tuple. */
static __always_inline int ct_reopens(const struct pkt *p, const struct ct_entry *e)
{
	return pkt_is_syn(p) && (e->flags & CT_F_CLOSING) == CT_F_CLOSING;
}

/*
 * Monitor aggregation: whether a packet of an established connection deserves a trace. Medium
 * and maximum trace the first appearance of each reported TCP flag in a direction; medium also
 * traces an active connection again every report_interval seconds. Several CPUs may race here
 * and both report once: harmless, and cheaper than an atomic.
 */
static __always_inline int ct_should_report(struct ct_entry *e, const struct pkt *p, int reply,
					    __u32 now, const struct lxc_config *cfg)
{
	__u8 seen = reply ? e->rx_flags_seen : e->tx_flags_seen;
	__u32 last = reply ? e->last_rx_report : e->last_tx_report;
	int report = 0;

	if (cfg->monitor_aggregation < MONITOR_AGG_MEDIUM)
		return 1;
	if (pkt_is_tcp(p) && (p->tcp_flags & cfg->report_tcp_flags & ~seen))
		report = 1;
	else if (cfg->monitor_aggregation == MONITOR_AGG_MEDIUM && cfg->report_interval &&
		 now - last >= cfg->report_interval)
		report = 1;
	if (report) {
		if (reply)
			e->last_rx_report = now;
		else
			e->last_tx_report = now;
	}
	return report;
}

/* Counts a packet of a tracked connection and refreshes its state and lifetime. Entries are
 * shared by all CPUs: counters use atomic adds; other fields are written only on change.
 * Returns whether the packet is to be traced (monitor aggregation). */
static __always_inline int ct_account(struct ct_entry *e, const struct pkt *p, int reply, __u32 len,
				      __u32 now, const struct lxc_config *cfg)
{
	int tcp = p->t.nexthdr == IPPROTO_TCP;
	__u16 state = e->flags;
	__u32 lifetime;
	int report = ct_should_report(e, p, reply, now, cfg);

	if (reply) {
		__sync_fetch_and_add(&e->rx_packets, 1);
		__sync_fetch_and_add(&e->rx_bytes, len);
	} else {
		__sync_fetch_and_add(&e->tx_packets, 1);
		__sync_fetch_and_add(&e->tx_bytes, len);
	}
	if (pkt_is_tcp(p)) {
		if (reply && (p->tcp_flags & ~e->rx_flags_seen))
			e->rx_flags_seen |= p->tcp_flags;
		else if (!reply && (p->tcp_flags & ~e->tx_flags_seen))
			e->tx_flags_seen |= p->tcp_flags;
		state = ct_tcp_state(state, p->tcp_flags, reply);
		if (state != e->flags)
			e->flags = state;
	}
	lifetime = now + ct_lifetime(tcp, state);
	if (e->lifetime != lifetime)
		e->lifetime = lifetime;
	return report;
}

/*
 * Looks a packet up: first as a packet of a connection opened in direction ct_dir (the
 * direction the packet travels), then as a reply to a connection opened by the other side.
 * *report tells whether monitor aggregation lets the packet be traced.
 */
static __always_inline enum ct_status ct_lookup(const struct pkt *p, __u8 ct_dir, __u32 len,
						__u32 now, const struct lxc_config *cfg,
						int *report)
{
	union ct_key k;
	struct ct_entry *e;

	*report = 1;
	ct_key_fill(&k, &p->t, 0, ct_dir);
	e = ct_find(p->t.family, &k, now);
	if (e) {
		if (ct_reopens(p, e))
			return CT_NEW; /* ct_create overwrites the entry */
		*report = ct_account(e, p, 0, len, now, cfg);
		return CT_ESTABLISHED;
	}

	ct_key_fill(&k, &p->t, 1, ct_flip(ct_dir));
	e = ct_find(p->t.family, &k, now);
	if (e) {
		if (ct_reopens(p, e)) {
			/* the old connection ran the other way; it is over */
			ct_map_delete(p->t.family, &k);
			return CT_NEW;
		}
		*report = ct_account(e, p, 1, len, now, cfg);
		return CT_REPLY;
	}
	return CT_NEW;
}

/*
 * Whether an ICMP error quoting tuple *inner (as sent) belongs to a tracked connection: the
 * quoted packet travelled in direction ct_dir of its connection (the original tuple) or was a
 * reply on a connection opened the other way.
 */
static __always_inline int ct_is_related(const struct tuple *inner, __u8 ct_dir, __u32 now)
{
	union ct_key k;

	ct_key_fill(&k, inner, 0, ct_dir);
	if (ct_find(inner->family, &k, now))
		return 1;
	ct_key_fill(&k, inner, 1, ct_flip(ct_dir));
	return ct_find(inner->family, &k, now) != NULL;
}

/* Creates (or replaces) the entry of a new connection whose first packet is p. */
static __always_inline int ct_create(const struct pkt *p, __u8 ct_dir, __u32 remote_id, __u32 ep_id,
				     __u32 len, __u32 now)
{
	int tcp = p->t.nexthdr == IPPROTO_TCP;
	struct ct_entry e = {
		.tx_packets = 1,
		.tx_bytes = len,
		.src_sec_id = remote_id,
		.ep_id = ep_id,
		.last_tx_report = now, /* the opening packet is traced */
	};
	union ct_key k;

	if (pkt_is_tcp(p)) {
		e.flags = ct_tcp_state(0, p->tcp_flags, 0);
		e.tx_flags_seen = p->tcp_flags;
	}
	e.lifetime = now + ct_lifetime(tcp, e.flags);
	ct_key_fill(&k, &p->t, 0, ct_dir);
	return ct_map_update(p->t.family, &k, &e);
}

#endif /* JILIUM_CONNTRACK_H */
