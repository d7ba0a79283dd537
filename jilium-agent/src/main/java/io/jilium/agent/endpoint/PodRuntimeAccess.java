package io.jilium.agent.endpoint;

import java.nio.file.Path;

/** Runtime operations the agent's cleanup needs without a running agent. */
public final class PodRuntimeAccess {
  private PodRuntimeAccess() {}

  public static void killProcesses(Path netns) {
    PodRuntime.killProcesses(netns);
  }
}
