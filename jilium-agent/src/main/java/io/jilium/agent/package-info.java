/**
 * The Jilium agent: the composition root ({@link io.jilium.agent.Agent}), its configuration and the
 * single control loop that owns all mutable state.
 */
package io.jilium.agent;
