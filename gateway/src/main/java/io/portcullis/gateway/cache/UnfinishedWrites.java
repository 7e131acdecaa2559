package io.portcullis.gateway.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code tmp/} folder of a store: everything is written there first and moved into place when
 * whole, so whatever is in it at start-up was cut off by a crash and is deleted (worker thread).
 */
final class UnfinishedWrites {
  private static final Logger LOG = LoggerFactory.getLogger(UnfinishedWrites.class);

  private UnfinishedWrites() {}

  /** Creates {@code tmp} when missing and deletes what a crash left in it. */
  static void clear(Path tmp, String what) throws IOException {
    Files.createDirectories(tmp);
    try (Stream<Path> leftovers = Files.list(tmp)) {
      for (Path p : leftovers.toList()) {
        LOG.info("cache: deleting unfinished {} {}", what, p.getFileName());
        Files.deleteIfExists(p);
      }
    }
  }
}
