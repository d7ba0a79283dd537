/** Reconcilers: the only agent code that writes the datapath's maps, by diffing desired state. */
package io.jilium.agent.datapath;
