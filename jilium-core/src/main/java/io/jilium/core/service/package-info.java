/**
 * Services, computed purely: Maglev lookup tables, ClusterIP allocation from the service CIDRs and
 * the backends of a Service (the standalone endpoints controller's core). The agent turns these
 * into BPF load-balancer maps; nothing here touches the kernel.
 */
package io.jilium.core.service;
