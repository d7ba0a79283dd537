/** The {@code jilium} command line: every user action, as a client of the agent's API. */
package io.jilium.cli;
