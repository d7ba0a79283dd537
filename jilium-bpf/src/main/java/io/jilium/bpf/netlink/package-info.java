/**
 * rtnetlink (NETLINK_ROUTE) through FFM: links (veth pairs), addresses, routes and neighbour
 * entries, in the host or in any network namespace. {@link io.jilium.bpf.netlink.Netlink} is the
 * socket and the operations; the records ({@link io.jilium.bpf.netlink.Link}, {@link
 * io.jilium.bpf.netlink.Address}, {@link io.jilium.bpf.netlink.Route}, ...) are immutable values.
 * Message encoding and decoding are pure Java, package-private, and tested byte by byte.
 */
package io.jilium.bpf.netlink;
