/**
 * Identity in the agent: composing a pod's identity labels (its labels, its namespace and the
 * namespace's labels), allocating identities and telling the policy side when they change.
 */
package io.jilium.agent.identity;
