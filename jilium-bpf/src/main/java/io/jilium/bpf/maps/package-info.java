/**
 * Typed views of the datapath's maps. Each Java {@code StructLayout} here carries the name of the C
 * struct in bpf/lib/maps.h it mirrors; {@link io.jilium.bpf.maps.DatapathLayouts} lists them all
 * for the BTF check at load time and in the build.
 */
package io.jilium.bpf.maps;
