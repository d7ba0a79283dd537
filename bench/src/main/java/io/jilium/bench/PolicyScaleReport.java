package io.jilium.bench;

import io.jilium.core.policy.PolicyEngine;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * Numbers JMH does not give: retained heap of the fully resolved state and the per-endpoint map
 * sizes (which must fit Cilium's default of 16,384 entries).
 */
public final class PolicyScaleReport {
  private PolicyScaleReport() {}

  public static void main(String[] args) {
    PolicyWorkload w = new PolicyWorkload(42);
    long before = usedHeapAfterGc();
    long t0 = System.nanoTime();
    PolicyEngine e = w.build();
    long t1 = System.nanoTime();
    long after = usedHeapAfterGc();
    int[] sizes = new int[PolicyWorkload.ENDPOINTS];
    for (int ep = 0; ep < sizes.length; ep++) {
      sizes[ep] = e.entryCount(ep + 1);
    }
    Arrays.sort(sizes);
    long total = Arrays.stream(sizes).asLongStream().sum();
    System.out.printf("full resolution (first, cold JVM): %.0f ms%n", (t1 - t0) / 1e6);
    System.out.printf(
        "retained heap of the resolved state: %.1f MiB%n", (after - before) / 1048576.0);
    System.out.printf(
        "policy map entries per endpoint: min %d, median %d, max %d (limit 16384), total %d%n",
        sizes[0], sizes[sizes.length / 2], sizes[sizes.length - 1], total);
    if (e.revision() < 0) {
      System.out.println("unreachable");
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
