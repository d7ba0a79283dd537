/**
 * Security identities: numeric ids for label sets, Cilium's reserved identities, and the local
 * allocator that hands out and reclaims ids by reference count.
 */
package io.jilium.core.identity;
