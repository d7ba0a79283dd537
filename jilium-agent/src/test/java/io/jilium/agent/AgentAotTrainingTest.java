package io.jilium.agent;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

/**
 * The launcher drops the agent's AOT cache silently when training fails: a parser change that
 * refused the training manifests would lose the cache without anyone noticing.
 */
class AgentAotTrainingTest {
  @Test
  void trainingManifestsReadAsEveryServiceAndSlice() {
    // train() checks the resource count itself and throws with it
    assertThatCode(AgentAotTraining::train).doesNotThrowAnyException();
  }
}
