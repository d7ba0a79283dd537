/**
 * Services on the agent (issue 5): the stores of Services and EndpointSlices, ClusterIP and node
 * port allocation, the standalone endpoints controller, service and backend ids, and the desired
 * load-balancing state computed purely from them ({@link io.jilium.agent.service.LbPlanner}),
 * diffed into ordered map operations ({@link io.jilium.agent.service.LbDiff}) that one writer
 * applies to the kernel maps. Everything here runs on the control loop.
 */
package io.jilium.agent.service;
