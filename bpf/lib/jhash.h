/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h has it, for the per-packet
 * Maglev selection. The result depends only on the input words and the seed, so every node picks
 * the same table slot for a connection and a connection moved between nodes (ECMP, failover)
 * keeps its backend.
 */
#ifndef JILIUM_JHASH_H
#define JILIUM_JHASH_H

#include "common.h"

#define JHASH_INITVAL 0xdeadbeef

/* Seeds of the tuple hashes (Cilium's HASH_INIT4_SEED / HASH_INIT6_SEED role). Fixed: the
 * same everywhere, which is the point. */
#define LB_HASH_SEED4 0x4a4c4234 /* "JLB4" */
#define LB_HASH_SEED6 0x4a4c4236 /* "JLB6" */

static __always_inline __u32 jhash_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

#define __jhash_mix(a, b, c)                                                                       \
	{                                                                                          \
		a -= c;                                                                            \
		a ^= jhash_rol32(c, 4);                                                            \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= jhash_rol32(a, 6);                                                            \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= jhash_rol32(b, 8);                                                            \
		b += a;                                                                            \
		a -= c;                                                                            \
		a ^= jhash_rol32(c, 16);                                                           \
		c += b;                                                                            \
		b -= a;                                                                            \
		b ^= jhash_rol32(a, 19);                                                           \
		a += c;                                                                            \
		c -= b;                                                                            \
		c ^= jhash_rol32(b, 4);                                                            \
		b += a;                                                                            \
	}

#define __jhash_final(a, b, c)                                                                     \
	{                                                                                          \
		c ^= b;                                                                            \
		c -= jhash_rol32(b, 14);                                                           \
		a ^= c;                                                                            \
		a -= jhash_rol32(c, 11);                                                           \
		b ^= a;                                                                            \
		b -= jhash_rol32(a, 25);                                                           \
		c ^= b;                                                                            \
		c -= jhash_rol32(b, 16);                                                           \
		a ^= c;                                                                            \
		a -= jhash_rol32(c, 4);                                                            \
		b ^= a;                                                                            \
		b -= jhash_rol32(a, 14);                                                           \
		c ^= b;                                                                            \
		c -= jhash_rol32(b, 24);                                                           \
	}

static __always_inline __u32 jhash_3words(__u32 a, __u32 b, __u32 c, __u32 initval)
{
	initval += JHASH_INITVAL + (3 << 2);
	a += initval;
	b += initval;
	c += initval;
	__jhash_final(a, b, c);
	return c;
}

/*
 * The Maglev hash of a connection, as Cilium's hash_from_tuple_v4/v6: source address, both ports
 * (as they are in the packet, network order, destination port in the high half) and protocol.
 * The destination address is left out, so a client keeps its backend across the frontends of a
 * service (the node addresses of a NodePort, an external IP).
 */
static __always_inline __u32 lb_tuple_hash(const union jl_addr *saddr, __u8 family, __be16 sport,
					   __be16 dport, __u8 proto)
{
	__u32 ports = ((__u32)dport << 16) | (__u32)sport;
	__u32 a, b, c;

	if (family == ENDPOINT_KEY_IPV4)
		return jhash_3words(saddr->v4, ports, proto, LB_HASH_SEED4);
	a = saddr->w[0];
	b = saddr->w[1];
	c = saddr->w[2];
	__jhash_mix(a, b, c);
	a += saddr->w[3];
	b += ports;
	c += proto;
	__jhash_mix(a, b, c);
	a += LB_HASH_SEED6;
	__jhash_final(a, b, c);
	return c;
}

#endif /* JILIUM_JHASH_H */
