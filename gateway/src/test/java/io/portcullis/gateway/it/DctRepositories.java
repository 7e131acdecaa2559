package io.portcullis.gateway.it;

import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.util.function.Supplier;

/**
 * Images pushed to a real docker-registry and their tags signed in a real Notary server under the
 * GUN {@code docker trust sign} would use for that registry ({@code 127.0.0.1:<port>/<repo>}), for
 * the gateway's DCT tests.
 */
final class DctRepositories {
  private final RegistryProcess registry;
  private final Supplier<NotaryClient> clients;
  private final TestImages images;
  private int seed;

  /** Images made from seeds counting up from {@code firstSeed}, each image its own. */
  DctRepositories(
      RegistryProcess registry, NotaryProcess notary, TestImages images, int firstSeed) {
    this(registry, notary::client, images, firstSeed);
  }

  /** Signing with the clients {@code clients} makes (e.g. logged in to a token service). */
  DctRepositories(
      RegistryProcess registry, Supplier<NotaryClient> clients, TestImages images, int firstSeed) {
    this.registry = registry;
    this.clients = clients;
    this.images = images;
    this.seed = firstSeed;
  }

  /** The GUN docker trust sign uses for {@code repository} of the registry. */
  String gun(String repository) {
    return registry.hostPort() + "/" + repository;
  }

  /** A new small image pushed as {@code repoTag}. */
  synchronized OciLayout push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 4 * 1024).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return image;
  }

  /**
   * A new GUN for {@code repository} with {@code tag} signed as {@code image} in {@code targets},
   * published; the client, to sign more with.
   */
  NotaryClient signNew(String repository, String tag, OciLayout image) throws IOException {
    NotaryClient client = clients.get();
    client.init(gun(repository)).orThrow();
    sign(client, repository, tag, image);
    client.publish(gun(repository)).orThrow();
    return client;
  }

  /** Stages {@code tag} of {@code repository} as {@code image} (its manifest's size and sha256). */
  void sign(NotaryClient client, String repository, String tag, OciLayout image, String... roles)
      throws IOException {
    long size = Files.size(image.blob(image.digest()));
    String hex = image.digest().substring("sha256:".length());
    client.addHash(gun(repository), tag, size, hex, roles).orThrow();
  }
}
