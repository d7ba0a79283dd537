// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * Pod datapath: tc programs on the host side of each pod's veth (lxcXXXX), one object shared by
 * all pods. cil_from_container runs at tc ingress (packets leaving the pod), cil_to_container
 * at tc egress (packets entering it). Both run lxc_handle() with their direction: anti-spoofing,
 * identity of the remote, conntrack, policy for new connections, metrics, and notifications:
 * drops, policy verdicts of new connections, and traces at the observation points (to-stack for
 * packets leaving the pod, to-endpoint for packets entering it, from-endpoint without
 * aggregation), thinned by monitor aggregation. A packet from one pod to another of this node
 * is traced once, at to-endpoint, unless aggregation is off: Cilium delivers such packets
 * straight into the destination's policy program and reports them there only.
 */
#include "common.h"
#include "eth.h"
#include "ip.h"
#include "frag.h"
#include "icmp.h"
#include "ipcache.h"
#include "conntrack.h"
#include "policy.h"
#include "metrics.h"
#include "notify.h"

#undef JL_FILE
#define JL_FILE JL_FILE_BPF_LXC

/* What the notifications need to know about a packet that got this far. */
struct lxc_state {
	__u32 remote_id; /* IDENTITY_UNKNOWN until looked up */
	struct drop_site site;
	__u8 trace_reason; /* TRACE_REASON_* */
	__u8 report;	   /* monitor aggregation lets this packet be traced */
	__u8 have_remote;  /* remote_id was looked up */
	__u8 remote_local; /* the remote is a pod of this node (IPCACHE_F_LOCAL_ENDPOINT) */
};

static __always_inline int lxc_parse(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	int ret;

	if (p->t.family == ENDPOINT_KEY_IPV4)
		ret = parse_ipv4(skb, p, site);
	else
		ret = parse_ipv6(skb, p, site);
	if (ret < 0)
		return ret;
	ret = parse_l4(skb, p, site);
	if (ret < 0)
		return ret;
	return frag_track(p, site);
}

/* A pod may only send from its own addresses; link-local sources only for ND (passed before). */
static __always_inline int lxc_check_source(const struct endpoint_info *ep, const struct pkt *p,
					    struct drop_site *site)
{
	if (p->t.family == ENDPOINT_KEY_IPV4) {
		if (!ep->ipv4 || p->t.saddr.v4 != ep->ipv4)
			return DROP_AT(site, DROP_INVALID_SIP);
	} else {
		union jl_addr own;

		__builtin_memcpy(own.b, ep->ipv6, 16);
		if (!addr_equal(&p->t.saddr, &own))
			return DROP_AT(site, DROP_INVALID_SIP);
	}
	return 0;
}

/* The policy port of a packet: the destination port, or the ICMP type in the high byte. */
static __always_inline __be16 lxc_policy_port(const struct pkt *p)
{
	if (l4_has_ports(p->t.nexthdr))
		return p->t.dport;
	if (is_icmp(p->t.family, p->t.nexthdr))
		return icmp_policy_port(p->icmp_type);
	return 0;
}

/* The remote's identity: the destination of packets from the pod, the source of those to it. */
static __always_inline void lxc_remote_identity(const __u8 dir, const struct pkt *p,
						struct lxc_state *st)
{
	__u8 flags;

	st->remote_id = ipcache_lookup(dir == DIR_FROM_CONTAINER ? &p->t.daddr : &p->t.saddr,
				       p->t.family, &flags);
	st->remote_local = !!(flags & IPCACHE_F_LOCAL_ENDPOINT);
	st->have_remote = 1;
}

static __always_inline void lxc_policy_query(const struct endpoint_info *ep, const __u8 dir,
					     const struct pkt *p, struct lxc_state *st,
					     struct policy_query *q)
{
	lxc_remote_identity(dir, p, st);
	q->ep_id = ep->ep_id;
	q->remote_id = st->remote_id;
	q->egress = dir == DIR_FROM_CONTAINER;
	q->protocol = p->t.nexthdr;
	q->dport = lxc_policy_port(p);
}

/* A policy verdict notification for a new connection of a direction the endpoint enforces. */
static __always_inline void lxc_policy_verdict(struct __sk_buff *skb,
					       const struct endpoint_info *ep, const __u8 dir,
					       const struct policy_query *q,
					       const struct policy_match *m, int ret,
					       const struct lxc_config *cfg)
{
	struct verdict_info v = {
		.remote_label = q->remote_id,
		.verdict = ret < 0 ? ret : 0,
		.source = (__u16)ep->ep_id,
		.dst_port = bpf_ntohs(q->dport),
		.proto = q->protocol,
		.dir = dir == DIR_FROM_CONTAINER ? METRIC_EGRESS : METRIC_INGRESS,
		.match_type = m->match_type,
	};

	if (!cfg->policy_verdict_enabled || !m->enforced)
		return;
	send_policy_verdict_notify(skb, &v);
}

/* A trace of a packet the endpoint sends (to the stack) or receives (into the pod). */
static __always_inline void lxc_trace(struct __sk_buff *skb, const struct endpoint_info *ep,
				      const __u8 dir, const struct pkt *p, struct lxc_state *st,
				      __u8 obs_point)
{
	struct trace_info t = {
		.source = (__u16)ep->ep_id,
		.obs_point = obs_point,
		.reason = st->trace_reason,
	};

	if (!st->have_remote && p->t.family)
		lxc_remote_identity(dir, p, st);
	if (dir == DIR_FROM_CONTAINER) {
		t.src_label = ep->sec_id;
		t.dst_label = st->remote_id;
	} else {
		t.src_label = st->remote_id;
		t.dst_label = ep->sec_id;
		t.dst_id = (__u16)ep->ep_id;
	}
	send_trace_notify(skb, &t);
}

static __always_inline int lxc_handle_ip(struct __sk_buff *skb, const struct endpoint_info *ep,
					 const __u8 dir, struct pkt *p, struct lxc_state *st,
					 const struct lxc_config *cfg)
{
	const __u8 ct_dir = dir == DIR_FROM_CONTAINER ? CT_EGRESS : CT_INGRESS;
	struct policy_query q;
	struct policy_match m;
	enum ct_status status;
	int report;
	__u32 now;
	int ret;

	ret = lxc_parse(skb, p, &st->site);
	if (ret < 0)
		return ret;
	/* without aggregation, where the packet left the pod; after the parse, so that the trace
	 * names the destination's identity (an unparsable packet is reported as its drop) */
	if (dir == DIR_FROM_CONTAINER && cfg->trace_enabled &&
	    cfg->monitor_aggregation == MONITOR_AGG_NONE)
		lxc_trace(skb, ep, dir, p, st, TRACE_FROM_LXC);

	/* neighbour discovery must keep working whatever the policy says */
	if (icmp6_is_nd(p))
		return TC_ACT_OK;

	if (dir == DIR_FROM_CONTAINER) {
		ret = lxc_check_source(ep, p, &st->site);
		if (ret < 0) {
			lxc_remote_identity(dir, p, st); /* for the notification */
			return ret;
		}
	}

	now = now_sec();
	if (icmp_is_error(p)) {
		struct tuple inner;

		/* an error about a packet the pod received (from it) or sent (to it) */
		if (p->l4_valid && icmp_inner_tuple(skb, p, &inner) == 0 &&
		    ct_is_related(&inner, ct_flip(ct_dir), now)) {
			st->trace_reason = TRACE_REASON_RELATED;
			st->report = 1;
			return TC_ACT_OK;
		}
		/* unrelated errors are policed like any ICMP but open no connection */
		lxc_policy_query(ep, dir, p, st, &q);
		ret = policy_check(&q, skb->len, &st->site, &m);
		lxc_policy_verdict(skb, ep, dir, &q, &m, ret, cfg);
		st->trace_reason = TRACE_REASON_UNKNOWN;
		st->report = 1;
		return ret < 0 ? ret : TC_ACT_OK;
	}

	/* established flows, the bulk of packets, need no identity and no policy */
	status = ct_lookup(p, ct_dir, skb->len, now, cfg, &report);
	if (status != CT_NEW) {
		st->trace_reason =
			status == CT_REPLY ? TRACE_REASON_REPLY : TRACE_REASON_ESTABLISHED;
		st->report = report;
		return TC_ACT_OK;
	}

	lxc_policy_query(ep, dir, p, st, &q);
	ret = policy_check(&q, skb->len, &st->site, &m);
	lxc_policy_verdict(skb, ep, dir, &q, &m, ret, cfg);
	if (ret < 0)
		return ret;
	/* tracked even without enforcement, so established connections survive policy changes */
	if (ct_create(p, ct_dir, st->remote_id, ep->ep_id, skb->len, now) < 0)
		return DROP_AT(&st->site, DROP_CT_CREATE_FAILED);
	st->trace_reason = TRACE_REASON_NEW;
	st->report = 1;
	return TC_ACT_OK;
}

static __always_inline int lxc_drop(struct __sk_buff *skb, const struct endpoint_info *ep,
				    const __u8 dir, const struct lxc_state *st, int ret)
{
	struct drop_info d = {
		.source = (__u16)ep->ep_id,
		.reason = (__u8)-ret,
		.dir = dir,
		.site = st->site,
	};

	if (dir == DIR_FROM_CONTAINER) {
		d.src_label = ep->sec_id;
		d.dst_label = st->remote_id;
	} else {
		d.src_label = st->remote_id;
		d.dst_label = ep->sec_id;
		d.dst_id = ep->ep_id;
	}
	metrics_update(d.reason, dir, skb->len);
	send_drop_notify(skb, &d);
	return TC_ACT_SHOT;
}

static __always_inline int lxc_handle(struct __sk_buff *skb, const __u8 dir)
{
	struct endpoint_key key = { .ifindex = skb->ifindex };
	struct lxc_state st = { .remote_id = IDENTITY_UNKNOWN,
				.trace_reason = TRACE_REASON_UNKNOWN };
	const struct lxc_config *cfg;
	struct endpoint_info *ep;
	struct pkt p = {};
	int ret = TC_ACT_OK;

	ep = bpf_map_lookup_elem(&jl_endpoints, &key);
	if (!ep)
		return TC_ACT_OK; /* not a pod's veth */
	cfg = lxc_config();
	/* without aggregation every packet is traced, those without a connection too */
	st.report = cfg->monitor_aggregation == MONITOR_AGG_NONE;

	switch (eth_l3_proto(skb)) {
	case ETH_P_IP:
		p.t.family = ENDPOINT_KEY_IPV4;
		break;
	case ETH_P_IPV6:
		p.t.family = ENDPOINT_KEY_IPV6;
		break;
	default:
		break; /* ARP and other ethertypes pass */
	}
	/* IP packets are traced from-endpoint once parsed (lxc_handle_ip) */
	if (dir == DIR_FROM_CONTAINER && cfg->trace_enabled &&
	    cfg->monitor_aggregation == MONITOR_AGG_NONE && !p.t.family)
		lxc_trace(skb, ep, dir, &p, &st, TRACE_FROM_LXC);
	if (p.t.family)
		ret = lxc_handle_ip(skb, ep, dir, &p, &st, cfg);
	if (ret < 0)
		return lxc_drop(skb, ep, dir, &st, ret);
	metrics_update(REASON_FORWARDED, dir, skb->len);
	if (!cfg->trace_enabled || !(st.report || cfg->monitor_aggregation == MONITOR_AGG_NONE))
		return TC_ACT_OK;
	if (dir == DIR_TO_CONTAINER) {
		lxc_trace(skb, ep, dir, &p, &st, TRACE_TO_LXC);
		return TC_ACT_OK;
	}
	if (!st.have_remote && p.t.family)
		lxc_remote_identity(dir, &p, &st);
	/* the destination pod's own program traces it at to-endpoint */
	if (!st.remote_local || cfg->monitor_aggregation == MONITOR_AGG_NONE)
		lxc_trace(skb, ep, dir, &p, &st, TRACE_TO_STACK);
	return TC_ACT_OK;
}

SEC("tc")
int cil_from_container(struct __sk_buff *skb)
{
	return lxc_handle(skb, DIR_FROM_CONTAINER);
}

SEC("tc")
int cil_to_container(struct __sk_buff *skb)
{
	return lxc_handle(skb, DIR_TO_CONTAINER);
}

char _license[] SEC("license") = "GPL";
