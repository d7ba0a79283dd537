/* SPDX-License-Identifier: Apache-2.0 */
/* ipcache: the security identity of a remote address (longest prefix match). */
#ifndef JILIUM_IPCACHE_H
#define JILIUM_IPCACHE_H

#include "common.h"

/* The identity of addr; *flags gets the entry's IPCACHE_F_* (0 for the world default). */
static __always_inline __u32 ipcache_lookup(const union jl_addr *addr, __u8 family, __u8 *flags)
{
	struct ipcache_key k = {
		.lpm_key = IPCACHE_PREFIX_STATIC_BITS + (family == ENDPOINT_KEY_IPV4 ? 32 : 128),
		.family = family,
	};
	struct remote_endpoint_info *info;

	__builtin_memcpy(k.ip, addr->b, sizeof(k.ip));
	info = bpf_map_lookup_elem(&jl_ipcache, &k);
	*flags = info ? info->flags : 0;
	return info ? info->sec_identity : IDENTITY_WORLD;
}

static __always_inline __u32 ipcache_identity(const union jl_addr *addr, __u8 family)
{
	__u8 flags;

	return ipcache_lookup(addr, family, &flags);
}

#endif /* JILIUM_IPCACHE_H */
