/**
 * Network policy: the rule model every policy kind is translated into, the repository of rules in
 * force, the selector cache, and the resolution of an endpoint's rules into the entries of its
 * datapath policy map.
 */
package io.jilium.core.policy;
