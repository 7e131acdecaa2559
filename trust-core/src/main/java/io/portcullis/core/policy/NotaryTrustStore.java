package io.portcullis.core.policy;

import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.RootKeyPins;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code type: notary-v1}: a Notary v1 server whose Docker Content Trust metadata is verified for
 * {@code dct} requirements (see {@code docs/dct.md}).
 *
 * @param server the server's base URL ({@code https://notary.example.com})
 * @param caFile the PEM CA certificate(s) the server's TLS certificate chains to, when the system
 *     trust store does not hold them
 * @param credentialsFile one line {@code user:password} for the server's token service
 * @param rootKeys the pinned root keys; empty for trust on first use (recorded in the gateway's
 *     data directory, and every later root must chain from the recorded one)
 * @param gunTemplate how a repository's GUN is made from the upstream's {@code {host}} and the
 *     {@code {repository}} ({@link Gun#DEFAULT_TEMPLATE} as docker does)
 */
public record NotaryTrustStore(
    String name,
    URI server,
    Optional<Path> caFile,
    Optional<Path> credentialsFile,
    Optional<RootKeyPins> rootKeys,
    String gunTemplate)
    implements PolicyTrustStore {

  public NotaryTrustStore {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(credentialsFile, "credentialsFile");
    Objects.requireNonNull(rootKeys, "rootKeys");
    Objects.requireNonNull(gunTemplate, "gunTemplate");
  }

  /**
   * The GUN of {@code repository} at the registry {@code hostAndPort}, by this store's template.
   */
  public Gun gun(String hostAndPort, String repository) {
    return Gun.of(hostAndPort, repository, gunTemplate);
  }

  @Override
  public SignatureType serves() {
    return SignatureType.DCT;
  }

  @Override
  public String typeName() {
    return "notary-v1";
  }
}
