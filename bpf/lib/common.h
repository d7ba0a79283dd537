/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Things every datapath file needs: kernel headers, attributes, reserved identities, the
 * directions, and the bookkeeping that lets a drop name the file and line that decided it.
 */
#ifndef JILIUM_COMMON_H
#define JILIUM_COMMON_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "btf.h"
#include "drop.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Reserved identities (Cilium's numbering). */
#define IDENTITY_UNKNOWN 0
#define IDENTITY_HOST 1
#define IDENTITY_WORLD 2

/* Direction of a packet, seen from the endpoint; the values double as metric/notify dirs. */
#define DIR_FROM_CONTAINER METRIC_EGRESS /* tc ingress of the host-side veth */
#define DIR_TO_CONTAINER METRIC_INGRESS	 /* tc egress of the host-side veth */

#define REASON_FORWARDED 0

#define NSEC_PER_SEC 1000000000ULL

/*
 * Source file ids carried in drop notifications (struct drop_notify.file). The agent maps
 * them back to names; append, never renumber.
 */
#define JL_FILE_UNKNOWN 0
#define JL_FILE_BPF_LXC 2     /* bpf_lxc.c (Cilium's number) */
#define JL_FILE_BPF_SOCK 5    /* bpf_sock.c (Cilium's number) */
#define JL_FILE_IP 120	      /* lib/ip.h */
#define JL_FILE_ICMP 121      /* lib/icmp.h */
#define JL_FILE_FRAG 122      /* lib/frag.h */
#define JL_FILE_CONNTRACK 109 /* lib/conntrack.h (Cilium's number) */
#define JL_FILE_POLICY 123    /* lib/policy.h */
#define JL_FILE_BPF_HOST 1    /* bpf_host.c (Cilium's number) */
#define JL_FILE_NAT 124	      /* lib/nat.h */

/*
 * Where a drop was decided. Each file sets JL_FILE after its own #includes; because macros in
 * a function body expand where the function is defined, DROP_AT records the defining file.
 */
struct drop_site {
	__u16 line;
	__u8 file;
};

#define JL_FILE JL_FILE_UNKNOWN

#define DROP_AT(site, reason)                                                                      \
	({                                                                                         \
		(site)->line = __LINE__;                                                           \
		(site)->file = JL_FILE;                                                            \
		(reason);                                                                          \
	})

/* An IPv4 address lives in the first 4 bytes, the rest zero. */
union jl_addr {
	__be32 v4;
	__u32 w[4];
	__u8 b[16];
};

static __always_inline int addr_equal(const union jl_addr *a, const union jl_addr *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		(a->w[3] ^ b->w[3])) == 0;
}

/* Seconds of CLOCK_MONOTONIC, the unit of ct_entry.lifetime. */
static __always_inline __u32 now_sec(void)
{
	return (__u32)(bpf_ktime_get_ns() / NSEC_PER_SEC);
}

#endif /* JILIUM_COMMON_H */
