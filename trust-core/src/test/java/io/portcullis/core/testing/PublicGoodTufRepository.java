package io.portcullis.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * The public-good Sigstore TUF repository of the interop fixtures ({@code
 * sigstore/public-good-tuf}, sigstore/root-signing at 2026-08-21), laid out as the CDN serves it:
 * {@code N.root.json} for every root, {@code timestamp.json}, the consistent-snapshot names {@code
 * <version>.snapshot.json}, {@code <version>.targets.json} and the delegated {@code
 * <version>.registry.npmjs.org.json}, and targets under {@code targets/<dir>/<sha256>.<name>}.
 */
public final class PublicGoodTufRepository {
  /** A time at which every file of the fixture is valid (timestamp expires 2026-08-28). */
  public static final Clock VALID_CLOCK =
      Clock.fixed(Instant.parse("2026-08-21T12:00:00Z"), ZoneOffset.UTC);

  public static final int ROOTS = 15;

  private PublicGoodTufRepository() {}

  public static Path dir() {
    return InteropFixtures.path("sigstore/public-good-tuf");
  }

  /** The first root, to start a walk through every rotation from. */
  public static Path firstRoot() {
    return dir().resolve("metadata/root_history/1.root.json");
  }

  public static Path trustedRoot() {
    return dir().resolve("targets/trusted_root.json");
  }

  /** Puts the whole repository on {@code server}. */
  public static StaticHttpServer serve(StaticHttpServer server) {
    Path metadata = dir().resolve("metadata");
    for (int i = 1; i <= ROOTS; i++) {
      server.put(i + ".root.json", metadata.resolve("root_history/" + i + ".root.json"));
    }
    server.put("timestamp.json", metadata.resolve("timestamp.json"));
    server.put(
        version(metadata.resolve("snapshot.json")) + ".snapshot.json",
        metadata.resolve("snapshot.json"));
    server.put(
        version(metadata.resolve("targets.json")) + ".targets.json",
        metadata.resolve("targets.json"));
    server.put(
        version(metadata.resolve("registry.npmjs.org.json")) + ".registry.npmjs.org.json",
        metadata.resolve("registry.npmjs.org.json"));
    Path targets = dir().resolve("targets");
    try (var files = Files.walk(targets)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              file -> {
                Path relative = targets.relativize(file);
                String dir = relative.getParent() == null ? "" : relative.getParent() + "/";
                server.put("targets/" + dir + sha256(file) + "." + file.getFileName(), file);
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return server;
  }

  private static long version(Path file) {
    try {
      JsonNode node = new ObjectMapper().readTree(file.toFile());
      return node.path("signed").path("version").asLong();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
