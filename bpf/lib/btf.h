/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Types the agent checks against this object's BTF but that no map definition carries in full:
 * clang 14 emits only forward declarations for the key and value of an inner map definition,
 * and ring buffer records appear in no map at all. libbpf needs the inner map's key and value
 * sizes to create jl_policy, so without this the object does not load. The function below is
 * never called and never loaded; its prototype alone puts the full structs into BTF.
 * Every object that includes maps.h needs this; common.h includes it.
 */
#ifndef JILIUM_BTF_H
#define JILIUM_BTF_H

#include "maps.h"

/* Members by value: a pointer already seen as a map key would still resolve to the forward. */
struct jl_btf_anchor {
	struct policy_key policy_key;
	struct policy_entry policy_entry;
	struct drop_notify drop_notify;
	struct trace_notify trace_notify;
	struct policy_verdict_notify policy_verdict_notify;
	struct lxc_config lxc_config;
};

__attribute__((used, noinline)) static int jl_btf_types(struct jl_btf_anchor *anchor)
{
	return 0;
}

#endif /* JILIUM_BTF_H */
