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

/*
 * Wakeups are batched. While the agent's reader drains the ring on its own timer (MonitorHub sets
 * jl_events_reader while it does, every millisecond for as long as records come), records wake
 * nobody: a wakeup is an interrupt to the reader's CPU (an APIC write, which a virtual machine
 * pays for with an exit) on the path of the packet that reported it. Once the reader is idle,
 * a record wakes it only when none did in the last NOTIFY_WAKEUP_NS; and a ring filling up wakes
 * it whatever it does. So a lone event is read at once, and under load the agent reads batches
 * without a wakeup per record or per millisecond.
 */
#define NOTIFY_WAKEUP_NS 1000000ULL /* 1 ms: MonitorHub's drain interval */
#define NOTIFY_WAKEUP_FRACTION 8    /* or when more than 1/8 of the ring is unread */

/* when a record last woke the agent; shared by all CPUs, a lost race costs one extra wakeup */
static volatile __u64 notify_last_wakeup;

static __always_inline int notify_reader_draining(void)
{
	__u32 zero = 0;
	const __u32 *draining = bpf_map_lookup_elem(&jl_events_reader, &zero);

	return draining && *draining;
}

static __always_inline void notify_submit(void *n, __u64 now)
{
	__u64 avail = bpf_ringbuf_query(&jl_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&jl_events, BPF_RB_RING_SIZE);

	if (avail > size / NOTIFY_WAKEUP_FRACTION ||
	    (!notify_reader_draining() && now - notify_last_wakeup >= NOTIFY_WAKEUP_NS)) {
		notify_last_wakeup = now;
		bpf_ringbuf_submit(n, BPF_RB_FORCE_WAKEUP);
		return;
	}
	bpf_ringbuf_submit(n, BPF_RB_NO_WAKEUP);
}

/* The datapath configuration; defaults (medium aggregation) until the agent writes it. */
static __always_inline const struct lxc_config *lxc_config(void)
{
	static const struct lxc_config defaults = {
		.monitor_aggregation = MONITOR_AGG_MEDIUM,
		.report_interval = 5,
		.report_tcp_flags = 0x01 | 0x02 | 0x04, /* FIN, SYN, RST */
		.trace_enabled = 1,
		.policy_verdict_enabled = 1,
	};
	__u32 zero = 0;
	const struct lxc_config *c = bpf_map_lookup_elem(&jl_config, &zero);

	return c ? c : &defaults;
}

/* Copies the head of the packet into a record's data; returns the bytes copied. */
static __always_inline __u16 notify_capture(struct __sk_buff *skb, __u8 *data)
{
	__u64 cap = skb->len; /* 64-bit: a 32-bit copy would lose the bounds the helper needs */

	if (cap > NOTIFY_CAPTURE_LEN)
		cap = NOTIFY_CAPTURE_LEN;
	if (cap > 0 && bpf_skb_load_bytes(skb, 0, data, cap) < 0)
		cap = 0;
	return (__u16)cap;
}

struct trace_info {
	__u32 src_label;
	__u32 dst_label;
	__u16 source; /* endpoint id */
	__u16 dst_id;
	__u8 obs_point; /* TRACE_* */
	__u8 reason;	/* TRACE_REASON_* */
};

static __always_inline void send_trace_notify(struct __sk_buff *skb, const struct trace_info *t)
{
	struct trace_notify *n = bpf_ringbuf_reserve(&jl_events, sizeof(*n), 0);

	if (!n) {
		notify_lost();
		return;
	}
	/* ring buffer memory is not zeroed: clear the padding and the tail of data */
	__builtin_memset(n, 0, sizeof(*n));
	n->len_cap = notify_capture(skb, n->data);
	n->type = JILIUM_NOTIFY_TRACE;
	n->subtype = t->obs_point;
	n->source = t->source;
	n->hash = bpf_get_hash_recalc(skb);
	n->len_orig = skb->len;
	n->version = NOTIFY_VERSION;
	n->src_label = t->src_label;
	n->dst_label = t->dst_label;
	n->dst_id = t->dst_id;
	n->reason = t->reason;
	n->ifindex = skb->ifindex;
	n->ktime = bpf_ktime_get_ns();
	notify_submit(n, n->ktime);
}

struct verdict_info {
	__u32 remote_label;
	__s32 verdict;
	__u16 source;
	__u16 dst_port; /* host order */
	__u8 proto;
	__u8 dir;
	__u8 match_type;
};

static __always_inline void send_policy_verdict_notify(struct __sk_buff *skb,
						       const struct verdict_info *v)
{
	struct policy_verdict_notify *n = bpf_ringbuf_reserve(&jl_events, sizeof(*n), 0);

	if (!n) {
		notify_lost();
		return;
	}
	__builtin_memset(n, 0, sizeof(*n));
	n->len_cap = notify_capture(skb, n->data);
	n->type = JILIUM_NOTIFY_POLICY_VERDICT;
	n->source = v->source;
	n->hash = bpf_get_hash_recalc(skb);
	n->len_orig = skb->len;
	n->version = NOTIFY_VERSION;
	n->remote_label = v->remote_label;
	n->verdict = v->verdict;
	n->dst_port = v->dst_port;
	n->proto = v->proto;
	n->dir = v->dir;
	n->match_type = v->match_type;
	n->ifindex = skb->ifindex;
	n->ktime = bpf_ktime_get_ns();
	notify_submit(n, n->ktime);
}

/*
 * A drop record with its header filled from d, zeroed elsewhere, or NULL (counted as lost). The
 * caller adds what it knows of the packet (hash, lengths, data, ifindex) and submits it.
 */
static __always_inline struct drop_notify *drop_notify_reserve(const struct drop_info *d)
{
	struct drop_notify *n = bpf_ringbuf_reserve(&jl_events, sizeof(*n), 0);

	if (!n) {
		notify_lost();
		return NULL;
	}
	/* ring buffer memory is not zeroed: clear the padding and the tail of data */
	__builtin_memset(n, 0, sizeof(*n));
	n->type = JILIUM_NOTIFY_DROP;
	n->subtype = d->reason;
	n->source = d->source;
	n->version = NOTIFY_VERSION;
	n->src_label = d->src_label;
	n->dst_label = d->dst_label;
	n->dst_id = d->dst_id;
	n->line = d->site.line;
	n->file = d->site.file;
	n->dir = d->dir;
	n->ktime = bpf_ktime_get_ns();
	return n;
}

static __always_inline void send_drop_notify(struct __sk_buff *skb, const struct drop_info *d)
{
	struct drop_notify *n = drop_notify_reserve(d);

	if (!n)
		return;
	n->len_cap = notify_capture(skb, n->data);
	n->hash = bpf_get_hash_recalc(skb);
	n->len_orig = skb->len;
	n->ifindex = skb->ifindex;
	notify_submit(n, n->ktime);
}

#endif /* JILIUM_NOTIFY_H */
