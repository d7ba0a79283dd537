/**
 * Network namespaces: creating and deleting named ones the way iproute2 does ({@code
 * /var/run/netns/NAME}), and running code inside one on a platform thread that has {@code
 * setns()}'d into it. Everything here is native (FFM through {@link io.jilium.bpf.sys.LibC}); no
 * {@code ip} command is run.
 */
package io.jilium.bpf.netns;
