/** IP addresses and prefixes as values, independent of java.net's resolver behaviour. */
package io.jilium.core.net;
