/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Address and port rewrites (DNAT of a service's frontend to a backend, and back on replies)
 * with incremental checksum updates: the IPv4 header checksum, and the TCP/UDP checksum over the
 * pseudo header (addresses) and the ports. The kernel helpers keep the skb's checksum state
 * right: CHECKSUM_PARTIAL packets (from a local veth) get only their pseudo-header sum updated,
 * CHECKSUM_COMPLETE ones their skb->csum. A UDP/IPv4 checksum of 0 (none) stays 0.
 */
#ifndef JILIUM_NAT_H
#define JILIUM_NAT_H

#include <stddef.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "common.h"
#include "eth.h"
#include "ip.h"

#undef JL_FILE
#define JL_FILE JL_FILE_NAT

#define IP4_CSUM_OFF (L3_OFF + offsetof(struct iphdr, check))
#define IP4_SADDR_OFF (L3_OFF + offsetof(struct iphdr, saddr))
#define IP4_DADDR_OFF (L3_OFF + offsetof(struct iphdr, daddr))
#define IP6_SADDR_OFF (L3_OFF + offsetof(struct ipv6hdr, saddr))
#define IP6_DADDR_OFF (L3_OFF + offsetof(struct ipv6hdr, daddr))

/* Offsets of the checksum in the TCP and UDP headers (linux/tcp.h's TCP_FLAG_* clash with ip.h). */
#define TCP_CSUM_FIELD 16
#define UDP_CSUM_FIELD 6

#define NAT_SRC 1 /* rewrite the source (reverse NAT of a reply) */
#define NAT_DST 0 /* rewrite the destination (a frontend to its backend) */

/* Offset of the L4 checksum from the L4 header, 0 when the packet has none to update. */
static __always_inline __u32 nat_l4_csum_field(const struct pkt *p)
{
	if (p->frag == FRAG_LATER)
		return 0; /* no L4 header here: the first fragment's update covers the datagram */
	if (p->t.nexthdr == IPPROTO_TCP)
		return TCP_CSUM_FIELD;
	if (p->t.nexthdr == IPPROTO_UDP)
		return UDP_CSUM_FIELD;
	return 0;
}

static __always_inline __u64 nat_l4_flags(const struct pkt *p)
{
	return p->t.nexthdr == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
}

static __always_inline int nat_rewrite_v4(struct __sk_buff *skb, const struct pkt *p, int src,
					  __be32 to, struct drop_site *site)
{
	__be32 from = src ? p->t.saddr.v4 : p->t.daddr.v4;
	__u32 field = nat_l4_csum_field(p);

	if (from == to)
		return 0;
	if (bpf_l3_csum_replace(skb, IP4_CSUM_OFF, from, to, sizeof(to)) < 0)
		return DROP_AT(site, DROP_CSUM_L3);
	if (field && bpf_l4_csum_replace(skb, p->l4_off + field, from, to,
					 BPF_F_PSEUDO_HDR | nat_l4_flags(p) | sizeof(to)) < 0)
		return DROP_AT(site, DROP_CSUM_L4);
	if (bpf_skb_store_bytes(skb, src ? IP4_SADDR_OFF : IP4_DADDR_OFF, &to, sizeof(to), 0) < 0)
		return DROP_AT(site, DROP_WRITE_ERROR);
	return 0;
}

static __always_inline int nat_rewrite_v6(struct __sk_buff *skb, const struct pkt *p, int src,
					  const union jl_addr *to, struct drop_site *site)
{
	union jl_addr from = src ? p->t.saddr : p->t.daddr;
	union jl_addr new = *to;
	__u32 field = nat_l4_csum_field(p);
	__s64 diff;

	if (addr_equal(&from, &new))
		return 0;
	if (field) {
		/* no IPv6 header checksum; the pseudo header carries both addresses */
		diff = bpf_csum_diff(from.w, sizeof(from), new.w, sizeof(new), 0);
		if (diff < 0 || bpf_l4_csum_replace(skb, p->l4_off + field, 0, (__u32)diff,
						    BPF_F_PSEUDO_HDR | nat_l4_flags(p)) < 0)
			return DROP_AT(site, DROP_CSUM_L4);
	}
	if (bpf_skb_store_bytes(skb, src ? IP6_SADDR_OFF : IP6_DADDR_OFF, new.b, sizeof(new.b), 0) <
	    0)
		return DROP_AT(site, DROP_WRITE_ERROR);
	return 0;
}

/*
 * Rewrites the source (NAT_SRC) or destination (NAT_DST) address and port of the parsed packet
 * p to (addr, port). family is p's, passed as a constant so each caller's copy folds to one
 * family. A later fragment gets only its address rewritten. Returns 0 or a negative drop
 * reason; p itself is left as parsed.
 */
static __always_inline int nat_rewrite(struct __sk_buff *skb, const __u8 family,
				       const struct pkt *p, int src, const union jl_addr *addr,
				       __be16 port, struct drop_site *site)
{
	__be16 from = src ? p->t.sport : p->t.dport;
	__u32 field = nat_l4_csum_field(p);
	int ret;

	if (family == ENDPOINT_KEY_IPV4)
		ret = nat_rewrite_v4(skb, p, src, addr->v4, site);
	else
		ret = nat_rewrite_v6(skb, p, src, addr, site);
	if (ret < 0 || !field || from == port)
		return ret;
	if (bpf_l4_csum_replace(skb, p->l4_off + field, from, port,
				nat_l4_flags(p) | sizeof(port)) < 0)
		return DROP_AT(site, DROP_CSUM_L4);
	/* source port first in TCP and UDP headers, destination port after it */
	if (bpf_skb_store_bytes(skb, p->l4_off + (src ? 0 : sizeof(__be16)), &port, sizeof(port),
				0) < 0)
		return DROP_AT(site, DROP_WRITE_ERROR);
	return 0;
}

#endif /* JILIUM_NAT_H */
