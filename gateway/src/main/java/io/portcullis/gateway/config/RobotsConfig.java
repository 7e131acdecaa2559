package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code auth.robots}: where robot accounts (users named {@code robot$...}) are stored: a robots
 * file ({@code file: F}, one node) or the shared state in PostgreSQL ({@code store: state}, every
 * replica; needs the top-level {@code state} section).
 *
 * @param file the robots file; empty when robots live in the shared state
 */
public record RobotsConfig(Optional<Path> file) {
  /** Robots in the shared state ({@code auth.robots: {store: state}}). */
  public static final RobotsConfig SHARED = new RobotsConfig(Optional.empty());

  public RobotsConfig(Path file) {
    this(Optional.of(file));
  }

  /** True when robots live in the shared state rather than a file. */
  public boolean shared() {
    return file.isEmpty();
  }

  /** Where robots are kept, for log lines and messages. */
  public String describe() {
    return file.map(Path::toString).orElse("the shared state (PostgreSQL)");
  }
}
