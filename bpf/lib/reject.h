/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Answers for a packet to a frontend without backends, so a client fails at once instead of
 * retrying into silence: a TCP SYN gets a RST (connection refused), anything else an ICMP or
 * ICMPv6 port unreachable quoting the packet's IP header and first 8 bytes of L4 (RFC 792,
 * RFC 4443; what Linux needs to find the socket). The packet is rewritten in place into the
 * answer and sent back out the device it came in on: Ethernet addresses swapped, IP addresses
 * swapped, checksums computed from scratch. A packet with IPv4 options or IPv6 extension
 * headers is not answered (only dropped).
 */
#ifndef JILIUM_REJECT_H
#define JILIUM_REJECT_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "common.h"
#include "eth.h"
#include "ip.h"
#include "icmp.h"

#define ICMP_PORT_UNREACH 3
#define ICMPV6_PORT_UNREACH 4
#define REJECT_TTL 64
#define REJECT_QUOTE_L4 8 /* bytes of the L4 header an ICMP error quotes */

/* A TCP header without options (linux/tcp.h's TCP_FLAG_* clash with ip.h's). */
struct reject_tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff; /* data offset in the high nibble */
	__u8 flags;
	__be16 window;
	__u16 check;
	__be16 urg_ptr;
};

/* The ones' complement sum of a 32-bit partial checksum, folded and inverted. */
static __always_inline __u16 csum_fold32(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The IPv6 pseudo header of upper-layer checksums (RFC 8200 8.1). */
struct ipv6_pseudo {
	__u8 saddr[16];
	__u8 daddr[16];
	__be32 len;
	__u8 zero[3];
	__u8 nexthdr;
};

struct ipv4_pseudo {
	__be32 saddr;
	__be32 daddr;
	__u8 zero;
	__u8 proto;
	__be16 len;
};

/* Sets the skb to exactly len bytes. */
static __always_inline int reject_resize(struct __sk_buff *skb, __u32 len)
{
	return skb->len == len ? 0 : bpf_skb_change_tail(skb, len, 0);
}

static __always_inline void reject_eth(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

static __always_inline void reject_ip4(struct iphdr *ip, const struct iphdr *orig, __u8 proto,
				       __u16 tot_len)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = REJECT_TTL;
	ip->protocol = proto;
	ip->tot_len = bpf_htons(tot_len);
	ip->saddr = orig->daddr;
	ip->daddr = orig->saddr;
	ip->check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(*ip), 0));
}

static __always_inline void reject_ip6(struct ipv6hdr *ip, const struct ipv6hdr *orig, __u8 proto,
				       __u16 payload_len)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 6;
	ip->hop_limit = REJECT_TTL;
	ip->nexthdr = proto;
	ip->payload_len = bpf_htons(payload_len);
	ip->saddr = orig->daddr;
	ip->daddr = orig->saddr;
}

/* The RST answering a segment to a closed port (RFC 9293 3.10.7.1): for a SYN, seq 0 and the
 * SYN acknowledged. */
static __always_inline void reject_tcp(struct reject_tcphdr *rst, const struct reject_tcphdr *orig,
				       __u32 seg_len)
{
	__builtin_memset(rst, 0, sizeof(*rst));
	rst->source = orig->dest;
	rst->dest = orig->source;
	rst->ack_seq = bpf_htonl(bpf_ntohl(orig->seq) + seg_len + 1);
	rst->doff = (sizeof(*rst) / 4) << 4;
	rst->flags = TCP_FLAG_RST | TCP_FLAG_ACK;
}

/* Writes the answer's headers over the packet, cut to exactly their length. */
static __always_inline int reject_store(struct __sk_buff *skb, const struct ethhdr *eth,
					const void *ip, __u32 ip_len, const void *l4, __u32 l4_len)
{
	if (reject_resize(skb, sizeof(*eth) + ip_len + l4_len) < 0 ||
	    bpf_skb_store_bytes(skb, 0, eth, sizeof(*eth), 0) < 0 ||
	    bpf_skb_store_bytes(skb, sizeof(*eth), ip, ip_len, 0) < 0 ||
	    bpf_skb_store_bytes(skb, sizeof(*eth) + ip_len, l4, l4_len, 0) < 0)
		return -1;
	return 0;
}

/* Reads what an answer needs: the Ethernet header, the IP header and the head of L4. */
static __always_inline int reject_load(struct __sk_buff *skb, const struct pkt *p,
				       struct ethhdr *eth, void *ip, __u32 ip_len, void *l4,
				       __u32 l4_len)
{
	if (bpf_skb_load_bytes(skb, 0, eth, sizeof(*eth)) < 0 ||
	    bpf_skb_load_bytes(skb, L3_OFF, ip, ip_len) < 0 ||
	    bpf_skb_load_bytes(skb, p->l4_off, l4, l4_len) < 0)
		return -1;
	reject_eth(eth);
	return 0;
}

/* Checksums the RST over its pseudo header (ph) and writes the answer. */
static __always_inline int reject_tcp_store(struct __sk_buff *skb, const struct ethhdr *eth,
					    const void *ip, __u32 ip_len, struct reject_tcphdr *tcp,
					    const void *ph, __u32 ph_len)
{
	__s64 sum = bpf_csum_diff(NULL, 0, (__be32 *)ph, ph_len, 0);

	tcp->check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)tcp, sizeof(*tcp), (__u32)sum));
	return reject_store(skb, eth, ip, ip_len, tcp, sizeof(*tcp));
}

static __always_inline int reject_tcp4(struct __sk_buff *skb, const struct pkt *p)
{
	struct ethhdr eth;
	struct iphdr ip, orig_ip;
	struct reject_tcphdr tcp, orig_tcp;
	struct ipv4_pseudo ph = {};

	if (reject_load(skb, p, &eth, &orig_ip, sizeof(orig_ip), &orig_tcp, sizeof(orig_tcp)) < 0)
		return -1;
	reject_ip4(&ip, &orig_ip, IPPROTO_TCP, sizeof(ip) + sizeof(tcp));
	reject_tcp(&tcp, &orig_tcp,
		   bpf_ntohs(orig_ip.tot_len) - ((__u32)orig_ip.ihl << 2) -
			   (orig_tcp.doff >> 4) * 4);
	ph.saddr = ip.saddr;
	ph.daddr = ip.daddr;
	ph.proto = IPPROTO_TCP;
	ph.len = bpf_htons(sizeof(tcp));
	return reject_tcp_store(skb, &eth, &ip, sizeof(ip), &tcp, &ph, sizeof(ph));
}

static __always_inline int reject_tcp6(struct __sk_buff *skb, const struct pkt *p)
{
	struct ethhdr eth;
	struct ipv6hdr ip, orig_ip;
	struct reject_tcphdr tcp, orig_tcp;
	struct ipv6_pseudo ph = {};

	if (reject_load(skb, p, &eth, &orig_ip, sizeof(orig_ip), &orig_tcp, sizeof(orig_tcp)) < 0)
		return -1;
	reject_ip6(&ip, &orig_ip, IPPROTO_TCP, sizeof(tcp));
	reject_tcp(&tcp, &orig_tcp, bpf_ntohs(orig_ip.payload_len) - (orig_tcp.doff >> 4) * 4);
	__builtin_memcpy(ph.saddr, &ip.saddr, 16);
	__builtin_memcpy(ph.daddr, &ip.daddr, 16);
	ph.len = bpf_htonl(sizeof(tcp));
	ph.nexthdr = IPPROTO_TCP;
	return reject_tcp_store(skb, &eth, &ip, sizeof(ip), &tcp, &ph, sizeof(ph));
}

/* ICMP header and the quote, checksummed together (RFC 792: no pseudo header). */
struct reject_icmp4_body {
	__u8 type;
	__u8 code;
	__u16 check;
	__u32 unused;
	struct iphdr ip;
	__u8 l4[REJECT_QUOTE_L4];
};

static __always_inline int reject_icmp4(struct __sk_buff *skb, const struct pkt *p)
{
	struct reject_icmp4_body body = {};
	struct ethhdr eth;
	struct iphdr ip;

	if (reject_load(skb, p, &eth, &body.ip, sizeof(body.ip), body.l4, sizeof(body.l4)) < 0)
		return -1;
	reject_ip4(&ip, &body.ip, IPPROTO_ICMP, sizeof(ip) + sizeof(body));
	body.type = ICMP_DEST_UNREACH;
	body.code = ICMP_PORT_UNREACH;
	body.check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)&body, sizeof(body), 0));
	return reject_store(skb, &eth, &ip, sizeof(ip), &body, sizeof(body));
}

/* ICMPv6 checksum input: pseudo header, then the message (RFC 4443 2.3). */
struct reject_icmp6_body {
	struct ipv6_pseudo ph;
	__u8 type;
	__u8 code;
	__u16 check;
	__u32 unused;
	struct ipv6hdr ip;
	__u8 l4[REJECT_QUOTE_L4];
};

#define REJECT_ICMP6_LEN (sizeof(struct reject_icmp6_body) - sizeof(struct ipv6_pseudo))

static __always_inline int reject_icmp6(struct __sk_buff *skb, const struct pkt *p)
{
	struct reject_icmp6_body body = {};
	struct ethhdr eth;
	struct ipv6hdr ip;

	if (reject_load(skb, p, &eth, &body.ip, sizeof(body.ip), body.l4, sizeof(body.l4)) < 0)
		return -1;
	reject_ip6(&ip, &body.ip, IPPROTO_ICMPV6, REJECT_ICMP6_LEN);
	__builtin_memcpy(body.ph.saddr, &ip.saddr, 16);
	__builtin_memcpy(body.ph.daddr, &ip.daddr, 16);
	body.ph.len = bpf_htonl(REJECT_ICMP6_LEN);
	body.ph.nexthdr = IPPROTO_ICMPV6;
	body.type = ICMPV6_DEST_UNREACH;
	body.code = ICMPV6_PORT_UNREACH;
	body.check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)&body, sizeof(body), 0));
	return reject_store(skb, &eth, &ip, sizeof(ip), &body.type, REJECT_ICMP6_LEN);
}

/*
 * Turns the parsed packet p into its answer and sends it back out the device it arrived on.
 * Returns the tc verdict (TC_ACT_REDIRECT), or TC_ACT_SHOT when the packet cannot be answered
 * (IP options or extension headers, a later fragment, a failed rewrite).
 */
static __always_inline int reject_send(struct __sk_buff *skb, const __u8 family,
				       const struct pkt *p)
{
	__u32 plain_l4 = L3_OFF + (family == ENDPOINT_KEY_IPV4 ? sizeof(struct iphdr)
							       : sizeof(struct ipv6hdr));
	int tcp_syn = p->t.nexthdr == IPPROTO_TCP && (p->tcp_flags & TCP_FLAG_SYN) &&
		      !(p->tcp_flags & TCP_FLAG_ACK);
	int ret;

	if (p->l4_off != plain_l4 || p->frag != FRAG_NONE || !p->l4_valid)
		return TC_ACT_SHOT;
	if (family == ENDPOINT_KEY_IPV4)
		ret = tcp_syn ? reject_tcp4(skb, p) : reject_icmp4(skb, p);
	else
		ret = tcp_syn ? reject_tcp6(skb, p) : reject_icmp6(skb, p);
	if (ret < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

#endif /* JILIUM_REJECT_H */
