package io.portcullis.core.policy;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.NotaryServer;
import io.portcullis.core.dct.RootKeyPins;
import io.portcullis.core.dct.RootTrust;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.registry.CredentialsFile;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufLimits;
import io.portcullis.core.tuf.TufMetadataStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 *     data directory, or in the shared state of a gateway fleet, and every later root must chain
 *     from the recorded one)
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

  /**
   * Fetches and verifies {@code gun}'s metadata from this store's server (blocking: a worker
   * thread's): its CA file and credentials, its pinned root keys or else trust on first use, with
   * the verified state (and the first-use root) kept under {@code recordDirectory}.
   */
  public TrustData verify(Gun gun, Duration timeout, Clock clock, Path recordDirectory)
      throws TufException, IOException {
    RootTrust root =
        rootKeys.<RootTrust>map(RootTrust.Pinned::new).orElse(new RootTrust.FirstUse());
    return verify(gun, timeout, clock, recordDirectory, root);
  }

  /**
   * As {@link #verify(Gun, Duration, Clock, Path)} for a store without {@code rootKeys} whose
   * first-use root is recorded elsewhere (the gateway fleet's shared state): the walk starts from
   * {@code recordedRoot}, or from the server's current root when none is recorded yet, and the
   * caller records {@link TrustData#root()} (see {@link RootTrust.Recorded}).
   *
   * @throws IllegalStateException when this store pins its root keys: there is nothing to record
   */
  public TrustData verifyFromRecord(
      Gun gun, Duration timeout, Clock clock, Path directory, Optional<byte[]> recordedRoot)
      throws TufException, IOException {
    if (rootKeys.isPresent()) {
      throw new IllegalStateException("trust store " + name + " pins its root keys");
    }
    return verify(gun, timeout, clock, directory, new RootTrust.Recorded(recordedRoot));
  }

  private TrustData verify(Gun gun, Duration timeout, Clock clock, Path directory, RootTrust root)
      throws TufException, IOException {
    Optional<byte[]> ca =
        caFile.isPresent() ? Optional.of(Files.readAllBytes(caFile.get())) : Optional.empty();
    NotaryServer notary =
        NotaryServer.of(
            server, ca, credentialsFile.map(f -> CredentialsFile.read(f).lookup("").orElseThrow()));
    return DctVerifier.verify(
        new DctVerifier.Settings(
            gun,
            notary.remote(gun, timeout, clock),
            new TufMetadataStore(directory),
            root,
            clock,
            TufLimits.DEFAULT));
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
