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

/* Returns 0 to allow, or DROP_POLICY / DROP_POLICY_DENY. */
static __always_inline int policy_check(const struct policy_query *q, __u32 len,
					struct drop_site *site)
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

	inner = bpf_map_lookup_elem(&jl_policy, &q->ep_id);
	if (!inner)
		return DROP_AT(site, DROP_POLICY); /* no policy map yet: fail closed */

	by_id = bpf_map_lookup_elem(inner, &k);
	k.sec_label = 0;
	any = bpf_map_lookup_elem(inner, &k);

	if (by_id && (by_id->flags & POLICY_F_DENY)) {
		policy_count(by_id, len);
		return DROP_AT(site, DROP_POLICY_DENY);
	}
	if (any && (any->flags & POLICY_F_DENY)) {
		policy_count(any, len);
		return DROP_AT(site, DROP_POLICY_DENY);
	}
	if (by_id) {
		policy_count(by_id, len);
		return 0;
	}
	if (any) {
		policy_count(any, len);
		return 0;
	}
	return DROP_AT(site, DROP_POLICY);
}

#endif /* JILIUM_POLICY_H */
