/**
 * Loading the datapath: extracting the compiled objects shipped as resources, checking their BTF
 * against the Java layouts, loading them with pinned maps, and attaching programs to endpoints.
 */
package io.jilium.bpf.loader;
