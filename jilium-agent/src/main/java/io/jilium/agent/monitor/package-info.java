/** Datapath notifications: reading the ring buffer, decoding, enriching and fanning out. */
package io.jilium.agent.monitor;
