/* SPDX-License-Identifier: Apache-2.0 */
/* Layer 2. tc programs see the packet from the Ethernet header on. */
#ifndef JILIUM_ETH_H
#define JILIUM_ETH_H

#include "common.h"

/* Offset of the network header: pods' veths carry untagged Ethernet frames. */
#define L3_OFF ETH_HLEN

/* The ethertype in host order, as the stack classified the frame. */
static __always_inline __u16 eth_l3_proto(const struct __sk_buff *skb)
{
	return bpf_ntohs((__be16)skb->protocol);
}

#endif /* JILIUM_ETH_H */
