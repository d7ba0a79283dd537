/** Host-scope IPAM: pod addresses from the node's own pod CIDRs. */
package io.jilium.core.ipam;
