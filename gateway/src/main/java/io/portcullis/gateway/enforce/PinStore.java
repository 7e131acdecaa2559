package io.portcullis.gateway.enforce;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portcullis.core.oci.Digest;
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
 */
public final class PinStore {
  private static final Logger LOG = LoggerFactory.getLogger(PinStore.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final Path file;
  private final Map<String, String> pins = new ConcurrentHashMap<>();
  private final Vertx vertx;

  public PinStore(Vertx vertx, Path file) throws IOException {
    this.vertx = vertx;
    this.file = file;
    if (Files.exists(file)) {
      Map<String, String> read =
          JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
      read.forEach(
          (k, v) -> {
            if (Digest.isDigest(v)) {
              pins.put(k, v);
            }
          });
    }
  }

  public Optional<Digest> get(String repository, String tag) {
    return Optional.ofNullable(pins.get(repository + ":" + tag)).map(Digest::parse);
  }

  /** Records a pin; the file is rewritten off the event loop. */
  public void put(String repository, String tag, Digest digest) {
    String previous = pins.put(repository + ":" + tag, digest.toString());
    if (!digest.toString().equals(previous)) {
      LOG.info("pinned {}:{} to {}", repository, tag, digest);
      vertx.executeBlocking(
          () -> {
            save();
            return null;
          },
          true);
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
