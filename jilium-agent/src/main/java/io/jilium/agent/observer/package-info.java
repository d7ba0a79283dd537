/**
 * Hubble-compatible observability: datapath events decoded into {@code flow.Flow}, a ring buffer of
 * flows, the {@code observer.Observer} gRPC service, flow filters and Hubble's metrics.
 */
package io.jilium.agent.observer;
