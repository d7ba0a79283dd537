/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load balancing decisions over the service maps of maps.h, shared by bpf_sock.c (socket hooks)
 * and bpf_host.c (per packet). This file only decides: callers rewrite addresses and keep their
 * own reverse state (socket revnat, LB conntrack).
 *
 * The 4 and 6 variants differ only in the address family of their keys and maps.
 *
 *   lb4_dest_is_host(addr) / lb6_dest_is_host(addr)
 *	the address is one of this node's: loopback, or ipcache identity reserved:host (1).
 *   lb4_lookup_service(key) / lb6_lookup_service(key)
 *	the service entry (slot 0) of the frontend in key (address, dport, proto): the exact
 *	frontend, else, when the address is the node's, the NodePort wildcard (address 0 with
 *	LB_SVC_F_NODEPORT). key is left as matched (address 0 after a wildcard hit) and is the key
 *	the slot lookups below take. NULL: not a service. count 0: a service without backends.
 *   lb_select_slot(svc, hash)
 *	slot 1..count for a hash (bpf_get_prandom_u32() for a random choice); count must be > 0.
 *   lb4_slot_backend_id(key, slot) / lb6_slot_backend_id(key, slot)
 *	the backend id in a slot of the frontend in key, 0 if the slot is empty.
 *   lb4_lookup_backend(id) / lb6_lookup_backend(id)
 *	the backend, NULL if none.
 *   lb_affinity_backend_id(map, akey, svc) / lb_affinity_record(map, akey, backend_id)
 *	session affinity (LB_SVC_F_AFFINITY), family generic: map is &jl_lb4_affinity or
 *	&jl_lb6_affinity and akey the matching struct lb4/lb6_affinity_key. The first returns
 *	the backend the client used within the service's affinity_timeout (0 if none, and
 *	forgets an expired entry); the second records (and refreshes) the client's backend.
 *   lb4_select_backend(key, svc, akey, hash, &id) / lb6_select_backend(...)
 *	the whole choice for a new connection: the affinity backend when svc has
 *	LB_SVC_F_AFFINITY, akey is not NULL and that backend is still active; else the backend
 *	of slot lb_select_slot(svc, hash); records the affinity. Returns the backend and its id
 *	in *id, or NULL (no usable backend). svc->count must be > 0.
 */
#ifndef JILIUM_LB_H
#define JILIUM_LB_H

#include "common.h"
#include "ipcache.h"

static __always_inline int lb4_dest_is_host(__be32 addr)
{
	union jl_addr a = {};

	if ((bpf_ntohl(addr) >> 24) == 127)
		return 1;
	a.v4 = addr;
	return ipcache_identity(&a, ENDPOINT_KEY_IPV4) == IDENTITY_HOST;
}

static __always_inline int lb6_dest_is_host(const union jl_addr *addr)
{
	if ((addr->w[0] | addr->w[1] | addr->w[2]) == 0 && addr->w[3] == bpf_htonl(1))
		return 1;
	return ipcache_identity(addr, ENDPOINT_KEY_IPV6) == IDENTITY_HOST;
}

static __always_inline const struct lb_service *lb4_lookup_service(struct lb4_key *key)
{
	const struct lb_service *svc;

	key->backend_slot = 0;
	svc = bpf_map_lookup_elem(&jl_lb4_services, key);
	if (svc || !lb4_dest_is_host(key->address))
		return svc;
	key->address = 0;
	svc = bpf_map_lookup_elem(&jl_lb4_services, key);
	return svc && (svc->flags & LB_SVC_F_NODEPORT) ? svc : NULL;
}

static __always_inline const struct lb_service *lb6_lookup_service(struct lb6_key *key)
{
	const struct lb_service *svc;
	union jl_addr a;

	key->backend_slot = 0;
	svc = bpf_map_lookup_elem(&jl_lb6_services, key);
	if (svc)
		return svc;
	__builtin_memcpy(a.b, key->address, 16);
	if (!lb6_dest_is_host(&a))
		return NULL;
	__builtin_memset(key->address, 0, 16);
	svc = bpf_map_lookup_elem(&jl_lb6_services, key);
	return svc && (svc->flags & LB_SVC_F_NODEPORT) ? svc : NULL;
}

static __always_inline __u16 lb_select_slot(const struct lb_service *svc, __u32 hash)
{
	return (__u16)(hash % svc->count) + 1;
}

static __always_inline __u32 lb4_slot_backend_id(struct lb4_key *key, __u16 slot)
{
	const struct lb_service *s;

	key->backend_slot = slot;
	s = bpf_map_lookup_elem(&jl_lb4_services, key);
	key->backend_slot = 0;
	return s ? s->backend_id : 0;
}

static __always_inline __u32 lb6_slot_backend_id(struct lb6_key *key, __u16 slot)
{
	const struct lb_service *s;

	key->backend_slot = slot;
	s = bpf_map_lookup_elem(&jl_lb6_services, key);
	key->backend_slot = 0;
	return s ? s->backend_id : 0;
}

static __always_inline const struct lb4_backend *lb4_lookup_backend(__u32 id)
{
	return bpf_map_lookup_elem(&jl_lb4_backends, &id);
}

static __always_inline const struct lb6_backend *lb6_lookup_backend(__u32 id)
{
	return bpf_map_lookup_elem(&jl_lb6_backends, &id);
}

/* Seconds since boot, the unit of lb_affinity_val.last_used. */
static __always_inline __u64 lb_now_sec(void)
{
	return bpf_ktime_get_ns() / NSEC_PER_SEC;
}

static __always_inline __u32 lb_affinity_backend_id(void *map, const void *akey,
						    const struct lb_service *svc)
{
	struct lb_affinity_val *v = bpf_map_lookup_elem(map, akey);

	if (!v)
		return 0;
	if (v->last_used + svc->affinity_timeout < lb_now_sec()) {
		bpf_map_delete_elem(map, akey);
		return 0;
	}
	return v->backend_id;
}

static __always_inline void lb_affinity_record(void *map, const void *akey, __u32 backend_id)
{
	struct lb_affinity_val v = {
		.last_used = lb_now_sec(),
		.backend_id = backend_id,
	};

	bpf_map_update_elem(map, akey, &v, BPF_ANY);
}

static __always_inline const struct lb4_backend *
lb4_select_backend(struct lb4_key *key, const struct lb_service *svc,
		   const struct lb4_affinity_key *akey, __u32 hash, __u32 *id)
{
	int affinity = akey && (svc->flags & LB_SVC_F_AFFINITY);
	const struct lb4_backend *b = NULL;
	__u32 backend_id = 0;

	if (affinity) {
		backend_id = lb_affinity_backend_id(&jl_lb4_affinity, akey, svc);
		if (backend_id) {
			b = lb4_lookup_backend(backend_id);
			if (b && b->state != LB_BACKEND_ACTIVE)
				b = NULL;
		}
	}
	if (!b) {
		backend_id = lb4_slot_backend_id(key, lb_select_slot(svc, hash));
		b = lb4_lookup_backend(backend_id);
		if (!b)
			return NULL;
	}
	if (affinity)
		lb_affinity_record(&jl_lb4_affinity, akey, backend_id);
	*id = backend_id;
	return b;
}

static __always_inline const struct lb6_backend *
lb6_select_backend(struct lb6_key *key, const struct lb_service *svc,
		   const struct lb6_affinity_key *akey, __u32 hash, __u32 *id)
{
	int affinity = akey && (svc->flags & LB_SVC_F_AFFINITY);
	const struct lb6_backend *b = NULL;
	__u32 backend_id = 0;

	if (affinity) {
		backend_id = lb_affinity_backend_id(&jl_lb6_affinity, akey, svc);
		if (backend_id) {
			b = lb6_lookup_backend(backend_id);
			if (b && b->state != LB_BACKEND_ACTIVE)
				b = NULL;
		}
	}
	if (!b) {
		backend_id = lb6_slot_backend_id(key, lb_select_slot(svc, hash));
		b = lb6_lookup_backend(backend_id);
		if (!b)
			return NULL;
	}
	if (affinity)
		lb_affinity_record(&jl_lb6_affinity, akey, backend_id);
	*id = backend_id;
	return b;
}

#endif /* JILIUM_LB_H */
