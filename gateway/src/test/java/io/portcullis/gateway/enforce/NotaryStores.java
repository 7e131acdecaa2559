package io.portcullis.gateway.enforce;

import io.portcullis.core.dct.Gun;
import io.portcullis.core.policy.NotaryTrustStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** The trust store a test's gateway configures for a test notary-server. */
final class NotaryStores {
  private NotaryStores() {}

  /**
   * The store {@code dct} at {@code url}, whose TLS certificate chains to {@code caFile}: no
   * credentials, no client certificate, Docker's GUN template.
   */
  static NotaryTrustStore of(String url, Path caFile) {
    return new NotaryTrustStore(
        "dct",
        URI.create(url),
        Optional.of(caFile),
        Optional.empty(),
        Optional.empty(),
        Gun.DEFAULT_TEMPLATE);
  }
}
