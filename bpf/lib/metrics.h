/* SPDX-License-Identifier: Apache-2.0 */
/* Per-CPU packet and byte counters by (reason, direction); reason 0 counts forwarded packets. */
#ifndef JILIUM_METRICS_H
#define JILIUM_METRICS_H

#include "common.h"

static __always_inline void metrics_update(__u8 reason, __u8 dir, __u32 len)
{
	struct metrics_key k = { .reason = reason, .dir = dir };
	struct metrics_value *v;

	v = bpf_map_lookup_elem(&jl_metrics, &k);
	if (unlikely(!v)) {
		struct metrics_value zero = {};

		/* NOEXIST: another CPU may have inserted the key meanwhile */
		bpf_map_update_elem(&jl_metrics, &k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&jl_metrics, &k);
		if (!v)
			return;
	}
	/* per-CPU value: no atomics needed */
	v->count += 1;
	v->bytes += len;
}

#endif /* JILIUM_METRICS_H */
