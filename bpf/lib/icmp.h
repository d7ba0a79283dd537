/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMP classification: neighbour discovery and MLD (never subject to policy), errors (related
 * to the connection of the packet they quote), and the policy port of an ICMP message.
 */
#ifndef JILIUM_ICMP_H
#define JILIUM_ICMP_H

#include "common.h"
#include "ip.h"

#undef JL_FILE
#define JL_FILE JL_FILE_ICMP

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEED 3
#define ICMPV6_PARAMPROB 4

/* Bytes before the quoted packet in an ICMP error (type, code, checksum, 4 unused/MTU). */
#define ICMP_ERROR_HLEN 8

/* ICMPv6 neighbour discovery (router/neighbour solicitation and advertisement, redirect) and
 * MLD (query, v1 report and done, v2 report). */
static __always_inline int icmp6_is_nd(const struct pkt *p)
{
	if (p->t.family != ENDPOINT_KEY_IPV6 || p->t.nexthdr != IPPROTO_ICMPV6 || !p->l4_valid)
		return 0;
	switch (p->icmp_type) {
	case 130 ... 137:
	case 143:
		return 1;
	}
	return 0;
}

static __always_inline int icmp_is_error(const struct pkt *p)
{
	if (!is_icmp(p->t.family, p->t.nexthdr))
		return 0;
	if (p->t.family == ENDPOINT_KEY_IPV4)
		return p->icmp_type == ICMP_DEST_UNREACH || p->icmp_type == ICMP_TIME_EXCEEDED ||
		       p->icmp_type == ICMP_PARAMETERPROB;
	return p->icmp_type >= ICMPV6_DEST_UNREACH && p->icmp_type <= ICMPV6_PARAMPROB;
}

/* Policy port of an ICMP message: the type in the high byte, network order. */
static __always_inline __be16 icmp_policy_port(__u8 type)
{
	return bpf_htons((__u16)type << 8);
}

/* The tuple of the first 8 bytes of an L4 header at off (an error's quoted packet). */
static __always_inline int inner_l4_ports(struct __sk_buff *skb, __u32 off, struct tuple *t)
{
	union {
		struct {
			__be16 sport;
			__be16 dport;
		} ports;
		struct icmp_head icmp;
	} h;

	t->sport = 0;
	t->dport = 0;
	if (l4_has_ports(t->nexthdr)) {
		if (bpf_skb_load_bytes(skb, off, &h.ports, sizeof(h.ports)) < 0)
			return -1;
		t->sport = h.ports.sport;
		t->dport = h.ports.dport;
	} else if (is_icmp(t->family, t->nexthdr)) {
		if (bpf_skb_load_bytes(skb, off, &h.icmp, sizeof(h.icmp)) < 0)
			return -1;
		icmp_ports(t->family, &h.icmp, &t->sport, &t->dport);
	}
	return 0;
}

/*
 * Parses the packet quoted by an ICMP error into *t, as it was sent (not reversed). Returns 0,
 * or -1 if the quote is truncated, malformed or a non-first fragment (nothing to relate it to).
 */
static __always_inline int icmp_inner_tuple(struct __sk_buff *skb, const struct pkt *p,
					    struct tuple *t)
{
	__u32 off = p->l4_off + ICMP_ERROR_HLEN;

	t->family = p->t.family;
	t->pad = 0;
	if (p->t.family == ENDPOINT_KEY_IPV4) {
		struct iphdr ip4;

		if (bpf_skb_load_bytes(skb, off, &ip4, sizeof(ip4)) < 0)
			return -1;
		if (ip4.version != 4 || ip4.ihl < 5 || (bpf_ntohs(ip4.frag_off) & IP4_OFFSET_MASK))
			return -1;
		__builtin_memset(&t->saddr, 0, sizeof(t->saddr));
		__builtin_memset(&t->daddr, 0, sizeof(t->daddr));
		t->saddr.v4 = ip4.saddr;
		t->daddr.v4 = ip4.daddr;
		t->nexthdr = ip4.protocol;
		off += (__u32)ip4.ihl << 2;
	} else {
		struct ipv6hdr ip6;
		struct drop_site ignored;
		__u32 frag_id = 0;
		__u8 frag = FRAG_NONE;
		__u8 nh;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)) < 0)
			return -1;
		if (ip6.version != 6)
			return -1;
		__builtin_memcpy(t->saddr.b, &ip6.saddr, 16);
		__builtin_memcpy(t->daddr.b, &ip6.daddr, 16);
		off += sizeof(ip6);
		nh = ip6.nexthdr;
		if (ipv6_skip_exthdrs(skb, &off, &nh, &frag, &frag_id, &ignored) < 0 ||
		    frag == FRAG_LATER)
			return -1;
		t->nexthdr = nh;
	}
	return inner_l4_ports(skb, off, t);
}

#endif /* JILIUM_ICMP_H */
