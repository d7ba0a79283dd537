/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IPv4/IPv6 and L4 header parsing into struct pkt. Headers are copied with bpf_skb_load_bytes,
 * so non-linear skbs need no pull and the verifier needs no packet-pointer range proofs.
 */
#ifndef JILIUM_IP_H
#define JILIUM_IP_H

#include <linux/ip.h>
#include <linux/ipv6.h>

#include "common.h"
#include "eth.h"

#undef JL_FILE
#define JL_FILE JL_FILE_IP

#ifndef IPPROTO_MH
#define IPPROTO_MH 135
#endif

/* Extension headers skipped before giving up with DROP_INVALID_EXTHDR. */
#define IPV6_MAX_EXTHDRS 8

#define IP4_OFFSET_MASK 0x1fff
#define IP4_MF 0x2000
#define IP6_OFFSET_MASK 0xfff8
#define IP6_MF 0x0001

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* A connection tuple as it appears in a packet. */
struct tuple {
	union jl_addr saddr;
	union jl_addr daddr;
	__be16 sport; /* ICMP echo: see icmp_ports() */
	__be16 dport;
	__u8 nexthdr;
	__u8 family; /* ENDPOINT_KEY_IPV4 / ENDPOINT_KEY_IPV6 */
	__u16 pad;
};

enum {
	FRAG_NONE = 0,
	FRAG_FIRST, /* offset 0, more fragments follow: carries the L4 header */
	FRAG_LATER, /* offset > 0: no L4 header in this packet */
};

struct pkt {
	struct tuple t;
	__u32 l4_off;
	__u32 frag_id; /* IPv4 identification / IPv6 fragment id, when fragmented */
	__u8 frag;     /* FRAG_* */
	__u8 l4_valid; /* the L4 header was parsed from this packet */
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
};

struct l4_head {
	__be16 sport;
	__be16 dport;
	__be32 seq;
	__be32 ack;
	__u8 doff;
	__u8 flags;
};

struct icmp_head {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be16 id;
	__be16 seq;
};

static __always_inline int l4_has_ports(__u8 nexthdr)
{
	return nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP || nexthdr == IPPROTO_SCTP;
}

static __always_inline int is_icmp(__u8 family, __u8 nexthdr)
{
	return family == ENDPOINT_KEY_IPV4 ? nexthdr == IPPROTO_ICMP : nexthdr == IPPROTO_ICMPV6;
}

/*
 * Ports of an ICMP message in a tuple: an echo request carries its id as the source port, an
 * echo reply as the destination port, so a reply's reversed tuple is the request's tuple.
 */
static __always_inline void icmp_ports(__u8 family, const struct icmp_head *h, __be16 *sport,
				       __be16 *dport)
{
	__u8 req = family == ENDPOINT_KEY_IPV4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
	__u8 rep = family == ENDPOINT_KEY_IPV4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY;

	*sport = 0;
	*dport = 0;
	if (h->type == req)
		*sport = h->id;
	else if (h->type == rep)
		*dport = h->id;
}

/*
 * Walks IPv6 extension headers from *off with next header *nh, leaving both at the upper-layer
 * header. A fragment header sets *frag and *frag_id; after a non-first fragment's header there
 * is nothing more to parse. Returns 0, or a negative drop reason.
 */
static __always_inline int ipv6_skip_exthdrs(struct __sk_buff *skb, __u32 *off, __u8 *nh,
					     __u8 *frag, __u32 *frag_id, struct drop_site *site)
{
	struct {
		__u8 nexthdr;
		__u8 len;
		__be16 frag_off;
		__be32 id;
	} h;
	int i;

#pragma unroll
	for (i = 0; i < IPV6_MAX_EXTHDRS; i++) {
		switch (*nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_MH:
			if (bpf_skb_load_bytes(skb, *off, &h, 2) < 0)
				return DROP_AT(site, DROP_INVALID);
			*off += ((__u32)h.len + 1) << 3;
			*nh = h.nexthdr;
			break;
		case IPPROTO_AH:
			if (bpf_skb_load_bytes(skb, *off, &h, 2) < 0)
				return DROP_AT(site, DROP_INVALID);
			*off += ((__u32)h.len + 2) << 2;
			*nh = h.nexthdr;
			break;
		case IPPROTO_FRAGMENT:
			if (bpf_skb_load_bytes(skb, *off, &h, sizeof(h)) < 0)
				return DROP_AT(site, DROP_INVALID);
			*off += sizeof(h);
			*nh = h.nexthdr;
			if (bpf_ntohs(h.frag_off) & IP6_OFFSET_MASK) {
				*frag = FRAG_LATER;
				*frag_id = h.id;
				return 0;
			}
			if (bpf_ntohs(h.frag_off) & IP6_MF) {
				*frag = FRAG_FIRST;
				*frag_id = h.id;
			}
			break;
		default:
			return 0;
		}
	}
	switch (*nh) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case IPPROTO_AH:
	case IPPROTO_FRAGMENT:
		return DROP_AT(site, DROP_INVALID_EXTHDR);
	}
	return 0;
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	struct iphdr ip4;
	__u16 frag_off;

	if (bpf_skb_load_bytes(skb, L3_OFF, &ip4, sizeof(ip4)) < 0)
		return DROP_AT(site, DROP_INVALID);
	if (ip4.version != 4 || ip4.ihl < 5)
		return DROP_AT(site, DROP_INVALID);

	p->t.family = ENDPOINT_KEY_IPV4;
	p->t.saddr.v4 = ip4.saddr;
	p->t.daddr.v4 = ip4.daddr;
	p->t.nexthdr = ip4.protocol;
	p->l4_off = L3_OFF + ((__u32)ip4.ihl << 2);

	frag_off = bpf_ntohs(ip4.frag_off);
	if (frag_off & IP4_OFFSET_MASK)
		p->frag = FRAG_LATER;
	else if (frag_off & IP4_MF)
		p->frag = FRAG_FIRST;
	if (p->frag != FRAG_NONE)
		p->frag_id = ip4.id;
	return 0;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	struct ipv6hdr ip6;
	__u32 off = L3_OFF + sizeof(ip6);
	__u8 nh;
	int ret;

	if (bpf_skb_load_bytes(skb, L3_OFF, &ip6, sizeof(ip6)) < 0)
		return DROP_AT(site, DROP_INVALID);
	if (ip6.version != 6)
		return DROP_AT(site, DROP_INVALID);

	p->t.family = ENDPOINT_KEY_IPV6;
	__builtin_memcpy(p->t.saddr.b, &ip6.saddr, 16);
	__builtin_memcpy(p->t.daddr.b, &ip6.daddr, 16);

	nh = ip6.nexthdr;
	ret = ipv6_skip_exthdrs(skb, &off, &nh, &p->frag, &p->frag_id, site);
	if (ret < 0)
		return ret;
	p->t.nexthdr = nh;
	p->l4_off = off;
	return 0;
}

/* Fills ports, TCP flags and ICMP type from the L4 header, when this packet carries one. */
static __always_inline int parse_l4(struct __sk_buff *skb, struct pkt *p, struct drop_site *site)
{
	if (p->frag == FRAG_LATER)
		return 0;

	if (p->t.nexthdr == IPPROTO_TCP) {
		struct l4_head h;

		if (bpf_skb_load_bytes(skb, p->l4_off, &h, sizeof(h)) < 0)
			return DROP_AT(site, DROP_CT_INVALID_HDR);
		p->t.sport = h.sport;
		p->t.dport = h.dport;
		p->tcp_flags = h.flags;
	} else if (l4_has_ports(p->t.nexthdr)) {
		struct l4_head h;

		if (bpf_skb_load_bytes(skb, p->l4_off, &h, 4) < 0)
			return DROP_AT(site, DROP_CT_INVALID_HDR);
		p->t.sport = h.sport;
		p->t.dport = h.dport;
	} else if (is_icmp(p->t.family, p->t.nexthdr)) {
		struct icmp_head h;

		if (bpf_skb_load_bytes(skb, p->l4_off, &h, sizeof(h)) < 0)
			return DROP_AT(site, DROP_CT_INVALID_HDR);
		p->icmp_type = h.type;
		p->icmp_code = h.code;
		icmp_ports(p->t.family, &h, &p->t.sport, &p->t.dport);
	}
	p->l4_valid = 1;
	return 0;
}

#endif /* JILIUM_IP_H */
