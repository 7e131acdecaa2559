package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.testkit.RegistryProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A docker-registry of a test class's own, two cosign key pairs ({@code a}, {@code b}) under a
 * password file, and the CLI run in-process against them: what the CLI ITs share.
 */
final class CliHarness implements AutoCloseable {
  final RegistryProcess registry;
  final RegistryClient client;
  final String host;
  final Path keys;
  final Path password;

  private CliHarness(RegistryProcess registry, Path keys) throws IOException {
    this.registry = registry;
    this.host = registry.hostPort();
    this.client =
        RegistryClient.create(new RegistryClientConfig(null, Set.of(host), Duration.ofSeconds(10)));
    this.keys = keys;
    this.password = Files.writeString(keys.resolve("password.txt"), "hello\n");
  }

  /** Starts a registry and makes key pairs {@code a} and {@code b} in {@code keys}. */
  static CliHarness start(Path keys) throws IOException {
    CliHarness h = new CliHarness(RegistryProcess.start(), keys);
    assertEquals(0, h.cli("keygen", "--out", keys.resolve("a").toString()).exitCode());
    assertEquals(0, h.cli("keygen", "--out", keys.resolve("b").toString()).exitCode());
    return h;
  }

  /** Runs the CLI with the password file and the registry marked insecure where they apply. */
  CliRun cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (Set.of("sign", "attest").contains(args[0]) && !all.contains("notation")) {
      all.add(1, "--password-file=" + password);
    }
    if (args[0].equals("keygen")) {
      all.add(1, "--password-file=" + password);
    }
    if (Set.of("sign", "attest", "verify").contains(args[0])) {
      all.add(1, "--insecure-registry=" + host);
    }
    return CliRun.of(all.toArray(String[]::new));
  }

  String key(String name) {
    return keys.resolve(name).toString();
  }

  /** A fresh one-layer image in its own repository, so tests do not see each other's signatures. */
  String image(String repo) {
    return OneLayerImages.push(client, host, repo, "v1");
  }

  Digest digestOf(String image) {
    return client.resolve(ImageReference.parse(image));
  }

  @Override
  public void close() {
    registry.close();
  }
}
