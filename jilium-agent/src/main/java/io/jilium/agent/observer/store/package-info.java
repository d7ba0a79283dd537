/**
 * The on-disk flow store behind {@code --flow-store DIR}: every Hubble flow the agent observes is
 * appended to rotating segment files with a size cap, so history outlives the in-memory ring buffer
 * and agent restarts. {@link io.jilium.agent.observer.store.FlowStore} is the whole API; the format
 * is described in docs/architecture.md ("Flow store").
 */
package io.jilium.agent.observer.store;
