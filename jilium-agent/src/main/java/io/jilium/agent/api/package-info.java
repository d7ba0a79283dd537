/** Serving the agent's gRPC API on its Unix socket. */
package io.jilium.agent.api;
