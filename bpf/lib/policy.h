/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy verdicts for the first packet of a connection. Each endpoint has an LPM trie keyed by
 * (identity, direction, protocol, port); the control plane encodes wildcards as shorter
 * prefixes. Two lookups: the remote's identity, and identity 0 (any). A deny from either wins.
 */
#ifndef JILIUM_POLICY_H
#define JILIUM_POLICY_H

#include "common.h"

#undef JL_FILE
#define JL_FILE JL_FILE_POLICY

struct policy_query {
	__u32 ep_id;
	__u32 remote_id;
	__u8 egress; /* 1: from the endpoint, 0: to it */
	__u8 protocol;
	__be16 dport; /* network order; ICMP: type in the high byte */
};

static __always_inline void policy_count(struct policy_entry *e, __u32 len)
{
	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, len);
}

/* What decided a verdict, for policy verdict notifications. */
struct policy_match {
	__u8 match_type; /* POLICY_MATCH_* */
	__u8 enforced;	 /* 0: the direction is not enforced (the agent's allow-all matched) */
};

/* The match type of an entry that matched, from what its key named (Cilium's classes). */
static __always_inline __u8 policy_match_type(const struct policy_entry *e, int by_identity)
{
	if (e->flags & POLICY_F_PORT)
		return by_identity ? POLICY_MATCH_L3_L4 : POLICY_MATCH_L4_ONLY;
	if (e->flags & POLICY_F_PROTO)
		return by_identity ? POLICY_MATCH_L3_PROTO : POLICY_MATCH_PROTO_ONLY;
	return by_identity ? POLICY_MATCH_L3_ONLY : POLICY_MATCH_ALL;
}

static __always_inline int policy_decide(struct policy_entry *e, int by_identity, __u32 len,
					 struct policy_match *m)
{
	policy_count(e, len);
	m->match_type = policy_match_type(e, by_identity);
	m->enforced = !(e->flags & POLICY_F_UNENFORCED);
	return 0;
}

/* Returns 0 to allow, or DROP_POLICY / DROP_POLICY_DENY; *m says what matched. */
static __always_inline int policy_check(const struct policy_query *q, __u32 len,
					struct drop_site *site, struct policy_match *m)
{
	struct policy_key k = {
		.lpm_key = POLICY_FULL_PREFIX,
		.sec_label = q->remote_id,
		.egress = q->egress,
		.protocol = q->protocol,
		.dport = q->dport,
	};
	struct policy_entry *by_id, *any;
	void *inner;

	m->match_type = POLICY_MATCH_NONE;
	m->enforced = 1;
	inner = bpf_map_lookup_elem(&jl_policy, &q->ep_id);
	if (!inner)
		return DROP_AT(site, DROP_POLICY); /* no policy map yet: fail closed */

	by_id = bpf_map_lookup_elem(inner, &k);
	k.sec_label = 0;
	any = bpf_map_lookup_elem(inner, &k);

	if (by_id && (by_id->flags & POLICY_F_DENY)) {
		policy_decide(by_id, 1, len, m);
		return DROP_AT(site, DROP_POLICY_DENY);
	}
	if (any && (any->flags & POLICY_F_DENY)) {
		policy_decide(any, 0, len, m);
		return DROP_AT(site, DROP_POLICY_DENY);
	}
	if (by_id)
		return policy_decide(by_id, 1, len, m);
	if (any)
		return policy_decide(any, 0, len, m);
	return DROP_AT(site, DROP_POLICY);
}

#endif /* JILIUM_POLICY_H */
