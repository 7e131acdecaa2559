package io.portcullis.gateway.enforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portcullis.core.oci.Digest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own tag pins, for the {@code signed} and {@code first-seen} modes: {@code
 * repository:tag} to the digest last approved for it. Kept in memory and written to a JSON file in
 * the data directory (temp file, then an atomic move) so pins survive restarts. Deleting an entry
 * from the file and restarting approves a moved tag in {@code first-seen} mode.
 *
 * <p>Anyone who may pull can make the gateway pin every tag an upstream has, so the store is
 * bounded ({@link #MAX_PINS}): when full, new tags are not recorded ({@link #put} says so and
 * {@code first-seen} refuses them: failing closed), and the file is rewritten at most once at a
 * time however many pins arrive together.
 */
public final class PinStore {
  private static final Logger LOG = LoggerFactory.getLogger(PinStore.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** How many tags are pinned at most (about 200 bytes each in memory and on disk). */
  public static final int MAX_PINS = 100_000;

  private final Path file;
  private final Map<String, String> pins = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final int maxPins;
  private final Object queue = new Object();
  private boolean saveQueued; // guarded by queue
  private Future<Void> saving = Future.succeededFuture(); // guarded by queue

  public PinStore(Vertx vertx, Path file) throws IOException {
    this(vertx, file, MAX_PINS);
  }

  PinStore(Vertx vertx, Path file, int maxPins) throws IOException {
    this.vertx = vertx;
    this.file = file;
    this.maxPins = maxPins;
    if (Files.exists(file)) {
      Map<String, String> read =
          JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
      read.forEach(
          (k, v) -> {
            if (Digest.isDigest(v) && pins.size() < maxPins) {
              pins.put(k, v);
            }
          });
    }
  }

  public Optional<Digest> get(String repository, String tag) {
    return Optional.ofNullable(pins.get(repository + ":" + tag)).map(Digest::parse);
  }

  /** How many tags this store pins at most. */
  public int capacity() {
    return maxPins;
  }

  /** Whether a tag not pinned yet could be pinned now. */
  public boolean hasRoom() {
    return pins.size() < maxPins;
  }

  /**
   * Pins a tag to {@code digest} unless it is pinned already, atomically: of two first requests for
   * a tag decided at once on two event loops (the tag having moved between their fetches), one pin
   * wins and the other request learns it. Returns the pin that holds afterwards, or empty when the
   * store is full and the tag was not pinned (nothing is recorded then).
   */
  public Optional<Digest> pinFirst(String repository, String tag, Digest digest) {
    String key = repository + ":" + tag;
    String held = pins.get(key);
    if (held == null) {
      if (!hasRoom()) {
        LOG.warn("pin store full ({} pins): {} is not pinned", maxPins, key);
        return Optional.empty();
      }
      held = pins.putIfAbsent(key, digest.toString());
      if (held == null) {
        LOG.info("pinned {}:{} to {}", repository, tag, digest);
        queueSave();
        return Optional.of(digest);
      }
    }
    return Optional.of(Digest.parse(held));
  }

  /**
   * Records a pin, the file rewritten off the event loop; false when the store is full and the tag
   * was not pinned before (nothing is recorded then).
   */
  public boolean put(String repository, String tag, Digest digest) {
    String key = repository + ":" + tag;
    String value = digest.toString();
    // Concurrent first pins may pass the bound by a few (one per event loop): still bounded.
    if (!pins.containsKey(key) && !hasRoom()) {
      LOG.warn("pin store full ({} pins): {} is not pinned", maxPins, key);
      return false;
    }
    String previous = pins.put(key, value);
    if (!value.equals(previous)) {
      LOG.info("pinned {}:{} to {}", repository, tag, digest);
      queueSave();
    }
    return true;
  }

  /**
   * One rewrite at a time, in order (each after the one before, whichever event loop asked); pins
   * arriving while one is queued ride along with it.
   */
  private void queueSave() {
    synchronized (queue) {
      if (saveQueued) {
        return;
      }
      saveQueued = true;
      saving =
          saving.transform(
              previous ->
                  vertx
                      .<Void>executeBlocking(
                          () -> {
                            synchronized (queue) {
                              saveQueued = false;
                            }
                            save();
                            return null;
                          },
                          false)
                      .onFailure(err -> LOG.warn("could not write {}: {}", file, err.toString())));
    }
  }

  /** Completes once the last rewrite of the file that was queued has landed. */
  Future<Void> settled() {
    synchronized (queue) {
      return saving;
    }
  }

  private synchronized void save() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writeValueAsBytes(new TreeMap<>(pins)));
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
