/** Policy in the agent: the resources in force, the selector cache and per-endpoint resolution. */
package io.jilium.agent.policy;
