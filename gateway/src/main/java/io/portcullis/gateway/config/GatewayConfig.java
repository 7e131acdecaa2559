package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The validated gateway configuration. Built only by {@link ConfigLoader}, which refuses unknown
 * keys, bad URLs, duplicate prefixes and unreadable files with a one-line message naming the key.
 */
public record GatewayConfig(
    ServerConfig server,
    List<UpstreamConfig> upstreams,
    Path dataDir,
    Optional<PolicyConfig> policy,
    Optional<Path> auditFile,
    Optional<AuthConfig> auth,
    Optional<AdminConfig> admin,
    LoggingConfig logging,
    CacheConfig cache,
    Optional<StateConfig> state) {

  public GatewayConfig {
    upstreams = List.copyOf(upstreams);
  }

  /** A single-node configuration: state in files in {@code dataDir}. */
  public GatewayConfig(
      ServerConfig server,
      List<UpstreamConfig> upstreams,
      Path dataDir,
      Optional<PolicyConfig> policy,
      Optional<Path> auditFile,
      Optional<AuthConfig> auth,
      Optional<AdminConfig> admin,
      LoggingConfig logging,
      CacheConfig cache) {
    this(
        server,
        upstreams,
        dataDir,
        policy,
        auditFile,
        auth,
        admin,
        logging,
        cache,
        Optional.empty());
  }

  /** A copy listening on another port (tests use port 0 for an ephemeral one). */
  public GatewayConfig withPort(int port) {
    return new GatewayConfig(
        server.withPort(port),
        upstreams,
        dataDir,
        policy,
        auditFile,
        auth,
        admin,
        logging,
        cache,
        state);
  }

  /**
   * The trust policy file, re-read when it changes (checked every {@code reloadInterval}); the
   * TUF-refreshed Sigstore trusted roots it uses are refreshed every {@code
   * sigstoreRefreshInterval} ({@code sigstore.refreshInterval}); verified Docker Content Trust
   * metadata answers for {@code dctRefreshInterval} ({@code dct.refreshInterval}) before its Notary
   * server is asked again, which also bounds how long a decision that rests on it is kept.
   */
  public record PolicyConfig(
      Path file,
      Duration reloadInterval,
      Duration sigstoreRefreshInterval,
      Duration dctRefreshInterval) {
    /** Sigstore's TUF repository publishes new roots rarely; every 6 hours is ample. */
    public static final Duration DEFAULT_SIGSTORE_REFRESH = Duration.ofHours(6);

    /** A removed DCT signature stops approving within this; a Notary server is asked this often. */
    public static final Duration DEFAULT_DCT_REFRESH = Duration.ofSeconds(30);

    public PolicyConfig(Path file, Duration reloadInterval) {
      this(file, reloadInterval, DEFAULT_SIGSTORE_REFRESH, DEFAULT_DCT_REFRESH);
    }
  }
}
