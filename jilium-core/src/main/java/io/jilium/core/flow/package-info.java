/**
 * Flows and datapath notifications: drop reasons, decoding of the events the datapath writes to its
 * ring buffer, and the packet summaries shown to users.
 */
package io.jilium.core.flow;
