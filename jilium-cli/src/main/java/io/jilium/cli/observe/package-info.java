/**
 * Hubble's client side of flow observation for {@code jilium observe}: filter flags to {@code
 * FlowFilter}s, selector flags to {@code GetFlowsRequest}, Hubble's times and names, and Hubble's
 * output formats. Pure: no I/O besides the streams a printer is given.
 */
package io.jilium.cli.observe;
