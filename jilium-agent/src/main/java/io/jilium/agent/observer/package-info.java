/**
 * Hubble's Observer API on the agent: flow filters (what {@code GetFlows} whitelists and blacklists
 * mean), the flow buffer and the gRPC service.
 */
package io.jilium.agent.observer;
