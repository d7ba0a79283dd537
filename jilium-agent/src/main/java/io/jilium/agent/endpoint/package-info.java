/**
 * Endpoints: wiring a network namespace into the datapath (veth, addresses, routes, programs),
 * their lifecycle and labels, namespaces, and the standalone pod runtime.
 */
package io.jilium.agent.endpoint;
