package io.portcullis.signer;

import io.portcullis.core.sigstore.RekorClient;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --rekor-url}: log a bundle's signature in this Rekor v1 instance. */
final class RekorOptions {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = "--rekor-url",
      paramLabel = "URL",
      description =
          "sigstore-bundle: upload a Rekor v1 dsse entry to this log and put its signed entry"
              + " timestamp and inclusion proof in the bundle. Default: no transparency log entry.")
  URI rekorUrl;

  /** The client, when a URL was given; a URL that is not http(s) is a usage error. */
  Optional<RekorClient> client() {
    if (rekorUrl == null) {
      return Optional.empty();
    }
    String scheme = rekorUrl.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme) || rekorUrl.getHost() == null) {
      throw new UsageException("--rekor-url must be an http(s) URL, not " + rekorUrl);
    }
    return Optional.of(new RekorClient(rekorUrl, TIMEOUT));
  }
}
