/** The agent's state on disk: what it restores after a restart, written atomically. */
package io.jilium.agent.state;
