/* SPDX-License-Identifier: Apache-2.0 */
/* Notifications to the agent through the jl_events ring buffer. */
#ifndef JILIUM_NOTIFY_H
#define JILIUM_NOTIFY_H

#include "common.h"

struct drop_info {
	__u32 src_label;
	__u32 dst_label;
	__u32 dst_id;
	__u16 source; /* endpoint id */
	__u8 reason;  /* positive DROP_* value */
	__u8 dir;
	struct drop_site site;
};

static __always_inline void notify_lost(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&jl_lost_events, &zero);

	if (lost)
		*lost += 1; /* per-CPU */
}

static __always_inline void send_drop_notify(struct __sk_buff *skb, const struct drop_info *d)
{
	struct drop_notify *n;
	__u64 cap = skb->len; /* 64-bit: a 32-bit copy would lose the bounds the helper needs */

	n = bpf_ringbuf_reserve(&jl_events, sizeof(*n), 0);
	if (!n) {
		notify_lost();
		return;
	}
	/* ring buffer memory is not zeroed: clear the padding and the tail of data */
	__builtin_memset(n, 0, sizeof(*n));

	if (cap > NOTIFY_CAPTURE_LEN)
		cap = NOTIFY_CAPTURE_LEN;
	if (cap > 0 && bpf_skb_load_bytes(skb, 0, n->data, cap) < 0)
		cap = 0;

	n->type = JILIUM_NOTIFY_DROP;
	n->subtype = d->reason;
	n->source = d->source;
	n->hash = bpf_get_hash_recalc(skb);
	n->len_orig = skb->len;
	n->len_cap = cap;
	n->version = NOTIFY_VERSION;
	n->src_label = d->src_label;
	n->dst_label = d->dst_label;
	n->dst_id = d->dst_id;
	n->line = d->site.line;
	n->file = d->site.file;
	n->ifindex = skb->ifindex;
	n->dir = d->dir;
	n->ktime = bpf_ktime_get_ns();
	bpf_ringbuf_submit(n, 0);
}

#endif /* JILIUM_NOTIFY_H */
