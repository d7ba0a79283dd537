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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every datapath loader does: check the object's BTF against the Java layouts, then load it
 * with its shared maps reused from (or created and pinned at) {@code <pinDir>/<map name>}, so every
 * object of the node and every agent restart share one instance of each map.
 *
 * @param object the loaded object (owns program and map fds)
 * @param maps the shared maps, opened from their pins, by name
 */
record PinnedObject(BpfObject object, Map<String, BpfMap> maps) implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PinnedObject.class);

  /**
   * Loads {@code objectFile}. {@code pinned} names the maps to share (given the opened object);
   * {@code configure} adjusts the object before the pins are checked (map sizes).
   */
  static PinnedObject load(
      Path objectFile,
      Path pinDir,
      Function<BpfObject, List<String>> pinned,
      Consumer<BpfObject> configure) {
    try (Btf btf = Btf.parse(objectFile)) {
      List<String> problems = DatapathLayouts.check(btf);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            objectFile.getFileName()
                + " does not match the agent's struct layouts (rebuild both together):\n  "
                + String.join("\n  ", problems));
      }
    }
    BpfFs.ensureMounted(pinDir);
    BpfObject object = BpfObject.open(objectFile);
    List<String> names;
    try {
      names = pinned.apply(object);
      configure.accept(object);
      replaceIncompatiblePins(object, pinDir, names);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
    Map<String, BpfMap> maps = new LinkedHashMap<>();
    try {
      Map<String, Path> pins = new LinkedHashMap<>();
      for (String m : names) {
        pins.put(m, pinDir.resolve(m));
      }
      object.pinMaps(pins);
      object.load();
      for (String m : names) {
        maps.put(m, BpfMap.openPinned(pinDir.resolve(m)));
      }
      return new PinnedObject(object, maps);
    } catch (RuntimeException e) {
      maps.values().forEach(BpfMap::close);
      object.close();
      throw e;
    }
  }

  /**
   * Before load: gives {@code map} the capacity of its pinned instance, if there is one, so this
   * object reuses it rather than replacing it (for a map another loader sized, like the events
   * ring).
   */
  static void adoptPinnedSize(BpfObject object, Path pinDir, String map) {
    Path pin = pinDir.resolve(map);
    if (Files.exists(pin)) {
      try (BpfMap have = BpfMap.openPinned(pin)) {
        object.setMaxEntries(map, have.maxEntries());
      }
    }
  }

  /** The maps of {@code shared} that {@code object} declares, in the order of {@code shared}. */
  static List<String> declared(BpfObject object, List<String> shared) {
    List<String> in = object.mapNames();
    return shared.stream().filter(in::contains).toList();
  }

  /**
   * A map pinned by an older datapath whose key or value size differs from this object's cannot be
   * reused (libbpf refuses the whole load). Such a pin is removed so the map is created anew: its
   * entries are lost (for conntrack: established connections are policed again as new), which is
   * logged; the alternative is an agent that cannot start after an upgrade. Objects loaded earlier
   * keep the old instance until they are loaded again.
   */
  private static void replaceIncompatiblePins(BpfObject object, Path pinDir, List<String> names) {
    for (String m : names) {
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
      try {
        Files.delete(pin);
      } catch (IOException e) {
        throw new UncheckedIOException("removing incompatible pinned map " + pin, e);
      }
    }
  }

  /** A shared map by name. */
  BpfMap map(String name) {
    BpfMap m = maps.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no pinned map " + name);
    }
    return m;
  }

  /** Closes the map and program fds; pins and attachments stay. */
  @Override
  public void close() {
    maps.values().forEach(BpfMap::close);
    object.close();
  }
}
