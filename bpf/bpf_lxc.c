// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * Pod datapath: tc programs on the host side of each pod's veth (lxcXXXX), one object shared by
 * all pods. cil_from_container runs at tc ingress (packets leaving the pod), cil_to_container
 * at tc egress (packets entering it). Both run lxc_handle() with their direction: anti-spoofing,
 * identity of the remote, conntrack, policy for new connections, drop notifications, metrics.
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

/* What a drop notification needs to know about a packet that got this far. */
struct lxc_state {
	__u32 remote_id;
	struct drop_site site;
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
	st->remote_id = ipcache_identity(dir == DIR_FROM_CONTAINER ? &p->t.daddr : &p->t.saddr,
					 p->t.family);
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

static __always_inline int lxc_handle_ip(struct __sk_buff *skb, const struct endpoint_info *ep,
					 const __u8 dir, struct pkt *p, struct lxc_state *st)
{
	const __u8 ct_dir = dir == DIR_FROM_CONTAINER ? CT_EGRESS : CT_INGRESS;
	struct policy_query q;
	__u32 now;
	int ret;

	ret = lxc_parse(skb, p, &st->site);
	if (ret < 0)
		return ret;

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
		    ct_is_related(&inner, ct_flip(ct_dir), now))
			return TC_ACT_OK;
		/* unrelated errors are policed like any ICMP but open no connection */
		lxc_policy_query(ep, dir, p, st, &q);
		ret = policy_check(&q, skb->len, &st->site);
		return ret < 0 ? ret : TC_ACT_OK;
	}

	/* established flows, the bulk of packets, need no identity and no policy */
	if (ct_lookup(p, ct_dir, skb->len, now) != CT_NEW)
		return TC_ACT_OK;

	lxc_policy_query(ep, dir, p, st, &q);
	ret = policy_check(&q, skb->len, &st->site);
	if (ret < 0)
		return ret;
	/* tracked even without enforcement, so established connections survive policy changes */
	if (ct_create(p, ct_dir, st->remote_id, ep->ep_id, skb->len, now) < 0)
		return DROP_AT(&st->site, DROP_CT_CREATE_FAILED);
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
	struct lxc_state st = { .remote_id = IDENTITY_UNKNOWN };
	struct endpoint_info *ep;
	struct pkt p = {};
	int ret = TC_ACT_OK;

	ep = bpf_map_lookup_elem(&jl_endpoints, &key);
	if (!ep)
		return TC_ACT_OK; /* not a pod's veth */

	switch (eth_l3_proto(skb)) {
	case ETH_P_IP:
		p.t.family = ENDPOINT_KEY_IPV4;
		ret = lxc_handle_ip(skb, ep, dir, &p, &st);
		break;
	case ETH_P_IPV6:
		p.t.family = ENDPOINT_KEY_IPV6;
		ret = lxc_handle_ip(skb, ep, dir, &p, &st);
		break;
	default:
		break; /* ARP and other ethertypes pass */
	}
	if (ret < 0)
		return lxc_drop(skb, ep, dir, &st, ret);
	metrics_update(REASON_FORWARDED, dir, skb->len);
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
