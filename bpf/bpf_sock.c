// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * Socket load balancing: cgroup v2 socket-address hooks attached at the cgroup2 root, so they
 * see every socket of the machine. connect4/6 and sendmsg4/6 rewrite a service frontend to one
 * of its backends before the kernel routes anything: service traffic leaves the socket already
 * addressed to a backend, with no per-packet NAT. recvmsg4/6 and getpeername4/6 turn the
 * backend back into the frontend the application named (jl_lb4/6_sock_revnat, keyed by socket
 * cookie and backend). IPv4-mapped IPv6 destinations (::ffff:a.b.c.d) go through the IPv4 maps.
 *
 * Only sockets of the network namespaces in jl_lb_netns (the host's and every pod's) are
 * translated; others (an outside client played by a namespace) reach the per-packet path.
 * Backend choice: session affinity by network namespace cookie, else a random slot for TCP and a
 * slot chosen by the socket cookie for UDP, so an unconnected UDP socket keeps its backend across
 * datagrams (as Cilium does). A service without backends refuses connect/sendmsg with
 * ECONNREFUSED, counted in jl_metrics as DROP_NO_SERVICE and notified as a drop; there is no
 * packet, so the notification's data is an Ethernet, IP and TCP (SYN) or UDP header built from
 * the socket's addresses.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "common.h"
#include "lb.h"
#include "metrics.h"
#include "notify.h"

#undef JL_FILE
#define JL_FILE JL_FILE_BPF_SOCK

#define SYS_REJECT 0
#define SYS_PROCEED 1

#ifndef ECONNREFUSED
#define ECONNREFUSED 111
#endif

/* LB_NETNS_* of the socket's network namespace, 0 if its sockets are not translated. */
static __always_inline __u32 sock_netns_kind(__u64 netns)
{
	__u32 *kind = bpf_map_lookup_elem(&jl_lb_netns, &netns);

	return kind ? *kind : 0;
}

/* IPPROTO_TCP or IPPROTO_UDP, 0 for anything the services do not carry. */
static __always_inline __u8 sock_proto(const struct bpf_sock_addr *ctx)
{
	__u32 proto = ctx->protocol;

	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ? (__u8)proto : 0;
}

/* Random per TCP connection; per socket for UDP, whose every datagram passes sendmsg. */
static __always_inline __u32 sock_select_hash(__u8 proto, __u64 cookie)
{
	return proto == IPPROTO_TCP ? bpf_get_prandom_u32() : (__u32)(cookie ^ (cookie >> 32));
}

static __always_inline int sock_refuse(void)
{
	metrics_update(-DROP_NO_SERVICE, METRIC_EGRESS, 0);
	bpf_set_retval(-ECONNREFUSED);
	return SYS_REJECT;
}

static __always_inline struct drop_notify *sock_drop_reserve(__u32 kind, struct drop_site *site)
{
	struct drop_info d = {
		.src_label = kind == LB_NETNS_HOST ? IDENTITY_HOST : IDENTITY_UNKNOWN,
		.reason = -DROP_NO_SERVICE,
		.dir = METRIC_EGRESS,
		.site = *site,
	};

	return drop_notify_reserve(&d);
}

/* The L4 header of the datagram or SYN the refused call would have sent; returns its length. */
static __always_inline __u16 sock_fake_l4(__u8 *l4, __u8 proto, __be16 sport, __be16 dport)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (struct tcphdr *)l4;

		tcp->source = sport;
		tcp->dest = dport;
		tcp->doff = sizeof(*tcp) / 4;
		tcp->syn = 1;
		return sizeof(*tcp);
	}
	((struct udphdr *)l4)->source = sport;
	((struct udphdr *)l4)->dest = dport;
	((struct udphdr *)l4)->len = bpf_htons(sizeof(struct udphdr));
	return sizeof(struct udphdr);
}

static __always_inline void sock4_notify_drop(struct bpf_sock_addr *ctx, __u32 kind, __u8 proto,
					      __be32 daddr, __be16 dport, struct drop_site *site)
{
	struct drop_notify *n = sock_drop_reserve(kind, site);
	struct bpf_sock *sk = ctx->sk;
	struct iphdr *ip;
	__u16 l4len;

	if (!n)
		return;
	((struct ethhdr *)n->data)->h_proto = bpf_htons(ETH_P_IP);
	ip = (struct iphdr *)(n->data + ETH_HLEN);
	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = sk->src_ip4;
	ip->daddr = daddr;
	l4len = sock_fake_l4(n->data + ETH_HLEN + sizeof(*ip), proto, bpf_htons(sk->src_port),
			     dport);
	ip->tot_len = bpf_htons(sizeof(*ip) + l4len);
	n->len_cap = ETH_HLEN + sizeof(*ip) + l4len;
	n->len_orig = n->len_cap;
	notify_submit(n, n->ktime);
}

static __always_inline void sock6_notify_drop(struct bpf_sock_addr *ctx, __u32 kind, __u8 proto,
					      const union jl_addr *daddr, __be16 dport,
					      struct drop_site *site)
{
	struct drop_notify *n = sock_drop_reserve(kind, site);
	struct bpf_sock *sk = ctx->sk;
	struct ipv6hdr *ip6;
	__u16 l4len;

	if (!n)
		return;
	((struct ethhdr *)n->data)->h_proto = bpf_htons(ETH_P_IPV6);
	ip6 = (struct ipv6hdr *)(n->data + ETH_HLEN);
	ip6->version = 6;
	ip6->nexthdr = proto;
	ip6->hop_limit = 64;
	ip6->saddr.in6_u.u6_addr32[0] = sk->src_ip6[0];
	ip6->saddr.in6_u.u6_addr32[1] = sk->src_ip6[1];
	ip6->saddr.in6_u.u6_addr32[2] = sk->src_ip6[2];
	ip6->saddr.in6_u.u6_addr32[3] = sk->src_ip6[3];
	__builtin_memcpy(&ip6->daddr, daddr->b, 16);
	l4len = sock_fake_l4(n->data + ETH_HLEN + sizeof(*ip6), proto, bpf_htons(sk->src_port),
			     dport);
	ip6->payload_len = bpf_htons(l4len);
	n->len_cap = ETH_HLEN + sizeof(*ip6) + l4len;
	n->len_orig = n->len_cap;
	notify_submit(n, n->ktime);
}

/*
 * Forward translation of an IPv4 destination. 0: not a service, untouched; 1: *addr and *port
 * now name the chosen backend; DROP_NO_SERVICE: a service without a usable backend.
 */
static __always_inline int sock4_xlate_fwd(struct bpf_sock_addr *ctx, __u64 netns, __u8 proto,
					   __be32 *addr, __be16 *port, struct drop_site *site)
{
	struct lb4_key key = { .address = *addr, .dport = *port, .proto = proto };
	struct lb4_affinity_key akey = { .client = netns, .netns = 1 };
	struct lb4_sock_revnat_key rk = {};
	struct lb4_sock_revnat_val rv = {};
	__u64 cookie = bpf_get_socket_cookie(ctx);
	const struct lb_service *svc;
	const struct lb4_backend *b;
	__u32 backend_id;

	svc = lb4_lookup_service(&key);
	if (!svc)
		return 0;
	if (!svc->count)
		return DROP_AT(site, DROP_NO_SERVICE);
	akey.rev_nat_index = svc->rev_nat_index;
	rv.rev_nat_index = svc->rev_nat_index;
	b = lb4_select_backend(&key, svc, &akey, sock_select_hash(proto, cookie), &backend_id);
	if (!b)
		return DROP_AT(site, DROP_NO_SERVICE);
	rk.cookie = cookie;
	rk.address = b->address;
	rk.port = b->port;
	rv.address = *addr;
	rv.port = *port;
	/* LRU: an update only fails without memory; the reply then shows the backend */
	bpf_map_update_elem(&jl_lb4_sock_revnat, &rk, &rv, BPF_ANY);
	*addr = b->address;
	*port = b->port;
	return 1;
}

static __always_inline int sock6_xlate_fwd(struct bpf_sock_addr *ctx, __u64 netns, __u8 proto,
					   union jl_addr *addr, __be16 *port,
					   struct drop_site *site)
{
	struct lb6_key key = { .dport = *port, .proto = proto };
	struct lb6_affinity_key akey = { .netns = 1 };
	struct lb6_sock_revnat_key rk = {};
	struct lb6_sock_revnat_val rv = {};
	__u64 cookie = bpf_get_socket_cookie(ctx);
	const struct lb_service *svc;
	const struct lb6_backend *b;
	__u32 backend_id;

	__builtin_memcpy(key.address, addr->b, 16);
	svc = lb6_lookup_service(&key);
	if (!svc)
		return 0;
	if (!svc->count)
		return DROP_AT(site, DROP_NO_SERVICE);
	__builtin_memcpy(akey.client, &netns, sizeof(netns));
	akey.rev_nat_index = svc->rev_nat_index;
	rv.rev_nat_index = svc->rev_nat_index;
	b = lb6_select_backend(&key, svc, &akey, sock_select_hash(proto, cookie), &backend_id);
	if (!b)
		return DROP_AT(site, DROP_NO_SERVICE);
	rk.cookie = cookie;
	__builtin_memcpy(rk.address, b->address, 16);
	rk.port = b->port;
	__builtin_memcpy(rv.address, addr->b, 16);
	rv.port = *port;
	bpf_map_update_elem(&jl_lb6_sock_revnat, &rk, &rv, BPF_ANY);
	__builtin_memcpy(addr->b, b->address, 16);
	*port = b->port;
	return 1;
}

/*
 * Reverse translation of a peer address (recvmsg source, getpeername): 1 when (*addr, *port) is
 * a backend this socket was sent to through a frontend that still has the same service id; the
 * frontend replaces it. A stale entry (service gone or its id reused) is deleted.
 */
static __always_inline int sock4_xlate_rev(struct bpf_sock_addr *ctx, __u8 proto, __be32 *addr,
					   __be16 *port)
{
	struct lb4_sock_revnat_key rk = {
		.cookie = bpf_get_socket_cookie(ctx),
		.address = *addr,
		.port = *port,
	};
	const struct lb4_sock_revnat_val *rv = bpf_map_lookup_elem(&jl_lb4_sock_revnat, &rk);
	const struct lb_service *svc;
	struct lb4_key key = {};

	if (!rv)
		return 0;
	key.address = rv->address;
	key.dport = rv->port;
	key.proto = proto;
	svc = lb4_lookup_service(&key);
	if (!svc || svc->rev_nat_index != rv->rev_nat_index) {
		bpf_map_delete_elem(&jl_lb4_sock_revnat, &rk);
		return 0;
	}
	*addr = rv->address;
	*port = rv->port;
	return 1;
}

static __always_inline int sock6_xlate_rev(struct bpf_sock_addr *ctx, __u8 proto,
					   union jl_addr *addr, __be16 *port)
{
	struct lb6_sock_revnat_key rk = { .cookie = bpf_get_socket_cookie(ctx), .port = *port };
	const struct lb6_sock_revnat_val *rv;
	const struct lb_service *svc;
	struct lb6_key key = {};

	__builtin_memcpy(rk.address, addr->b, 16);
	rv = bpf_map_lookup_elem(&jl_lb6_sock_revnat, &rk);
	if (!rv)
		return 0;
	__builtin_memcpy(key.address, rv->address, 16);
	key.dport = rv->port;
	key.proto = proto;
	svc = lb6_lookup_service(&key);
	if (!svc || svc->rev_nat_index != rv->rev_nat_index) {
		bpf_map_delete_elem(&jl_lb6_sock_revnat, &rk);
		return 0;
	}
	__builtin_memcpy(addr->b, rv->address, 16);
	*port = rv->port;
	return 1;
}

static __always_inline int sock4_fwd(struct bpf_sock_addr *ctx)
{
	__be32 addr = ctx->user_ip4;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);
	struct drop_site site = {};
	__u64 netns;
	__u32 kind;
	int ret;

	if (!proto)
		return SYS_PROCEED;
	netns = bpf_get_netns_cookie(ctx);
	kind = sock_netns_kind(netns);
	if (!kind)
		return SYS_PROCEED;
	ret = sock4_xlate_fwd(ctx, netns, proto, &addr, &port, &site);
	if (ret < 0) {
		sock4_notify_drop(ctx, kind, proto, addr, port, &site);
		return sock_refuse();
	}
	if (ret > 0) {
		ctx->user_ip4 = addr;
		ctx->user_port = port;
	}
	return SYS_PROCEED;
}

static __always_inline void sock6_read(const struct bpf_sock_addr *ctx, union jl_addr *a)
{
	a->w[0] = ctx->user_ip6[0];
	a->w[1] = ctx->user_ip6[1];
	a->w[2] = ctx->user_ip6[2];
	a->w[3] = ctx->user_ip6[3];
}

static __always_inline void sock6_write(struct bpf_sock_addr *ctx, const union jl_addr *a)
{
	ctx->user_ip6[0] = a->w[0];
	ctx->user_ip6[1] = a->w[1];
	ctx->user_ip6[2] = a->w[2];
	ctx->user_ip6[3] = a->w[3];
}

/* ::ffff:a.b.c.d, a dual-stack socket talking IPv4: translated through the IPv4 maps. */
static __always_inline int sock6_is_v4_mapped(const union jl_addr *a)
{
	return (a->w[0] | a->w[1]) == 0 && a->w[2] == bpf_htonl(0xffff);
}

static __always_inline int sock6_fwd(struct bpf_sock_addr *ctx)
{
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);
	struct drop_site site = {};
	union jl_addr addr;
	__u64 netns;
	__u32 kind;
	int ret;

	if (!proto)
		return SYS_PROCEED;
	netns = bpf_get_netns_cookie(ctx);
	kind = sock_netns_kind(netns);
	if (!kind)
		return SYS_PROCEED;
	sock6_read(ctx, &addr);
	if (sock6_is_v4_mapped(&addr)) {
		ret = sock4_xlate_fwd(ctx, netns, proto, &addr.w[3], &port, &site);
		if (ret < 0) {
			sock4_notify_drop(ctx, kind, proto, addr.w[3], port, &site);
			return sock_refuse();
		}
	} else {
		ret = sock6_xlate_fwd(ctx, netns, proto, &addr, &port, &site);
		if (ret < 0) {
			sock6_notify_drop(ctx, kind, proto, &addr, port, &site);
			return sock_refuse();
		}
	}
	if (ret > 0) {
		sock6_write(ctx, &addr);
		ctx->user_port = port;
	}
	return SYS_PROCEED;
}

static __always_inline int sock4_rev(struct bpf_sock_addr *ctx)
{
	__be32 addr = ctx->user_ip4;
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);

	if (proto && sock4_xlate_rev(ctx, proto, &addr, &port)) {
		ctx->user_ip4 = addr;
		ctx->user_port = port;
	}
	return SYS_PROCEED;
}

static __always_inline int sock6_rev(struct bpf_sock_addr *ctx)
{
	__be16 port = (__be16)ctx->user_port;
	__u8 proto = sock_proto(ctx);
	union jl_addr addr;
	int ret;

	if (!proto)
		return SYS_PROCEED;
	sock6_read(ctx, &addr);
	if (sock6_is_v4_mapped(&addr))
		ret = sock4_xlate_rev(ctx, proto, &addr.w[3], &port);
	else
		ret = sock6_xlate_rev(ctx, proto, &addr, &port);
	if (ret) {
		sock6_write(ctx, &addr);
		ctx->user_port = port;
	}
	return SYS_PROCEED;
}

SEC("cgroup/connect4")
int cil_sock4_connect(struct bpf_sock_addr *ctx)
{
	return sock4_fwd(ctx);
}

SEC("cgroup/sendmsg4")
int cil_sock4_sendmsg(struct bpf_sock_addr *ctx)
{
	return sock4_fwd(ctx);
}

SEC("cgroup/recvmsg4")
int cil_sock4_recvmsg(struct bpf_sock_addr *ctx)
{
	return sock4_rev(ctx);
}

SEC("cgroup/getpeername4")
int cil_sock4_getpeername(struct bpf_sock_addr *ctx)
{
	return sock4_rev(ctx);
}

SEC("cgroup/connect6")
int cil_sock6_connect(struct bpf_sock_addr *ctx)
{
	return sock6_fwd(ctx);
}

SEC("cgroup/sendmsg6")
int cil_sock6_sendmsg(struct bpf_sock_addr *ctx)
{
	return sock6_fwd(ctx);
}

SEC("cgroup/recvmsg6")
int cil_sock6_recvmsg(struct bpf_sock_addr *ctx)
{
	return sock6_rev(ctx);
}

SEC("cgroup/getpeername6")
int cil_sock6_getpeername(struct bpf_sock_addr *ctx)
{
	return sock6_rev(ctx);
}

char _license[] SEC("license") = "GPL";
