package io.jilium.bpf.loader;

import io.jilium.bpf.BpfFs;
import io.jilium.bpf.BpfMap;
import io.jilium.bpf.BpfObject;
import io.jilium.bpf.Btf;
import io.jilium.bpf.maps.DatapathLayouts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every datapath object is loaded: its BTF checked against the Java layouts, its shared maps
 * reused from (or created and pinned at) the node's pin directory, then loaded. Shared by the
 * loaders of bpf_lxc, bpf_host and bpf_sock so that all of them see the same maps.
 */
final class PinnedObject {
  private static final Logger LOG = LoggerFactory.getLogger(PinnedObject.class);

  private PinnedObject() {}

  /** A loaded object and its pinned maps, opened by name; the caller owns both. */
  record Loaded(BpfObject object, Map<String, BpfMap> maps) {}

  /**
   * Checks {@code objectFile}'s BTF, opens it, lets {@code configure} change it before load (map
   * sizes, read-only globals), pins {@code pinned} under {@code pinDir} and loads it.
   */
  static Loaded load(
      Path objectFile, Path pinDir, List<String> pinned, Consumer<BpfObject> configure) {
    checkLayouts(objectFile);
    BpfFs.ensureMounted(pinDir);
    BpfObject object = BpfObject.open(objectFile);
    try {
      configure.accept(object);
      replaceIncompatiblePins(object, pinDir, pinned);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
    Map<String, BpfMap> maps = new LinkedHashMap<>();
    try {
      Map<String, Path> pins = new LinkedHashMap<>();
      for (String m : pinned) {
        pins.put(m, pinDir.resolve(m));
      }
      object.pinMaps(pins);
      object.load();
      for (String m : pinned) {
        maps.put(m, BpfMap.openPinned(pinDir.resolve(m)));
      }
      return new Loaded(object, maps);
    } catch (RuntimeException e) {
      maps.values().forEach(BpfMap::close);
      object.close();
      throw e;
    }
  }

  static void checkLayouts(Path objectFile) {
    try (Btf btf = Btf.parse(objectFile)) {
      List<String> problems = DatapathLayouts.check(btf);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            objectFile.getFileName()
                + " does not match the agent's struct layouts (rebuild both together):\n  "
                + String.join("\n  ", problems));
      }
    }
  }

  /**
   * A map pinned by an older datapath whose key or value size differs from this object's cannot be
   * reused (libbpf refuses the whole load). Such a pin is removed so the map is created anew: its
   * entries are lost (for conntrack: established connections are policed again as new), which is
   * logged; the alternative is an agent that cannot start after an upgrade.
   */
  private static void replaceIncompatiblePins(BpfObject object, Path pinDir, List<String> pinned) {
    for (String m : pinned) {
      Path pin = pinDir.resolve(m);
      if (!Files.exists(pin)) {
        continue;
      }
      BpfObject.MapDef want = object.mapDef(m);
      try (BpfMap have = BpfMap.openPinned(pin)) {
        if (have.keySize() == want.keySize()
            && have.valueSize() == want.valueSize()
            && have.maxEntries() == want.maxEntries()) {
          continue;
        }
        LOG.atWarn()
            .addKeyValue("map", m)
            .addKeyValue(
                "pinned", have.keySize() + "/" + have.valueSize() + "/" + have.maxEntries())
            .addKeyValue(
                "needed", want.keySize() + "/" + want.valueSize() + "/" + want.maxEntries())
            .log(
                "pinned map from an older datapath does not fit (key/value/entries): replacing it");
      }
      unpin(pin);
    }
  }

  static void unpin(Path pin) {
    try {
      Files.delete(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("removing incompatible pinned map " + pin, e);
    }
  }
}
