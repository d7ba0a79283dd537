/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IP fragments. Only the first fragment carries the L4 header; its ports (and ICMP type) are
 * remembered by (addresses, id, protocol) so later fragments get the same conntrack tuple and
 * the same verdict. Datapath-internal: the agent never reads this map.
 */
#ifndef JILIUM_FRAG_H
#define JILIUM_FRAG_H

#include "common.h"
#include "ip.h"

#undef JL_FILE
#define JL_FILE JL_FILE_FRAG

#define FRAG_MAP_SIZE 8192

struct frag_key {
	union jl_addr saddr;
	union jl_addr daddr;
	__u32 id;
	__u8 nexthdr;
	__u8 family;
	__u16 pad;
};

struct frag_l4 {
	__be16 sport;
	__be16 dport;
	__u8 icmp_type;
	__u8 icmp_code;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct frag_key);
	__type(value, struct frag_l4);
	__uint(max_entries, FRAG_MAP_SIZE);
} jl_frags SEC(".maps");

static __always_inline void frag_key_fill(struct frag_key *k, const struct pkt *p)
{
	k->saddr = p->t.saddr;
	k->daddr = p->t.daddr;
	k->id = p->frag_id;
	k->nexthdr = p->t.nexthdr;
	k->family = p->t.family;
	k->pad = 0;
}

/* Records the first fragment's L4 fields, or restores them for a later fragment. */
static __always_inline int frag_track(struct pkt *p, struct drop_site *site)
{
	struct frag_key k;
	struct frag_l4 *l4;

	if (p->frag == FRAG_NONE)
		return 0;
	frag_key_fill(&k, p);
	if (p->frag == FRAG_FIRST) {
		struct frag_l4 v = {
			.sport = p->t.sport,
			.dport = p->t.dport,
			.icmp_type = p->icmp_type,
			.icmp_code = p->icmp_code,
		};

		bpf_map_update_elem(&jl_frags, &k, &v, BPF_ANY);
		return 0;
	}
	l4 = bpf_map_lookup_elem(&jl_frags, &k);
	if (!l4)
		return DROP_AT(site, DROP_FRAG_NOSUPPORT);
	p->t.sport = l4->sport;
	p->t.dport = l4->dport;
	p->icmp_type = l4->icmp_type;
	p->icmp_code = l4->icmp_code;
	return 0;
}

#endif /* JILIUM_FRAG_H */
