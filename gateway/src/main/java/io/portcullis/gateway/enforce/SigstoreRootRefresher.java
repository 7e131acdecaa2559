package io.portcullis.gateway.enforce;

import io.portcullis.core.policy.SigstoreRoots;
import io.portcullis.core.policy.SigstoreTrustStore.TufSettings;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.TrustedRootRefresh;
import io.portcullis.core.sigstore.TrustedRootSource;
import io.portcullis.core.sigstore.TufTrustedRootSource;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TUF-refreshed trusted roots of the policy's {@code sigstore} stores that name no {@code
 * trustedRoot} file: one {@link TufTrustedRootSource} per store, cached under {@code
 * dataDir/sigstore-tuf/<store>} and starting from that cache (else the shipped public-good
 * snapshot), so the gateway starts offline. {@link #current} answers from memory; the network is
 * used only by {@link #refreshAll}, which runs on a worker thread every {@code refreshInterval}
 * (and once soon after start), never at start-up and never on the event loop. A root that changed
 * calls {@code onUpdate} (the policy holder's reload), which makes a new policy revision: images
 * are decided again under the new root.
 */
public final class SigstoreRootRefresher implements SigstoreRoots {
  private static final Logger LOG = LoggerFactory.getLogger(SigstoreRootRefresher.class);

  private final BiFunction<String, Optional<TufSettings>, TrustedRootSource> factory;
  private final Map<String, Entry> sources = new ConcurrentHashMap<>();
  private long timer = -1;

  /** A store's source and the settings it was made for (a changed {@code tuf} remakes it). */
  /**
   * A store's source, with the settings and pinned TUF root bytes it was made from: a pinned root
   * file replaced in place (a re-pin after a compromise) makes a new source, which trusts nothing
   * until it has refreshed from that root, rather than keeping the root the old pin vouched for.
   */
  private record Entry(Optional<TufSettings> settings, String pinned, TrustedRootSource source) {}

  /** TUF sources cached under {@code cacheBase/<store>}. */
  public SigstoreRootRefresher(Path cacheBase, Clock clock) {
    this((store, tuf) -> tufSource(cacheBase, clock, store, tuf));
  }

  /** Sources made by {@code factory} (tests). */
  SigstoreRootRefresher(BiFunction<String, Optional<TufSettings>, TrustedRootSource> factory) {
    this.factory = factory;
  }

  @Override
  public TrustedRoot current(String store, Optional<TufSettings> tuf) {
    String pinned = pinnedDigest(tuf);
    Entry entry =
        sources.compute(
            store,
            (name, existing) ->
                existing != null
                        && existing.settings().equals(tuf)
                        && existing.pinned().equals(pinned)
                    ? existing
                    : new Entry(tuf, pinned, source(name, tuf)));
    return entry.source().current();
  }

  /** The SHA-256 of the pinned TUF root file, or "" for none or an unreadable one. */
  private static String pinnedDigest(Optional<TufSettings> tuf) {
    Optional<Path> root = tuf.flatMap(TufSettings::root);
    if (root.isEmpty()) {
      return "";
    }
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(root.get())));
    } catch (IOException | NoSuchAlgorithmException e) {
      return ""; // the source refuses to start on it, with the reason
    }
  }

  private TrustedRootSource source(String store, Optional<TufSettings> tuf) {
    try {
      return factory.apply(store, tuf);
    } catch (RuntimeException e) {
      // e.g. an unreadable pinned TUF root: the policy is refused with this message
      throw new IllegalStateException(
          "cannot start the TUF client of '" + store + "': " + e.getMessage(), e);
    }
  }

  private static TrustedRootSource tufSource(
      Path cacheBase, Clock clock, String store, Optional<TufSettings> tuf) {
    URI repository =
        URI.create(tuf.map(TufSettings::url).orElse(TrustedRootSource.PUBLIC_GOOD_TUF_URL));
    TufTrustedRootSource.Settings settings =
        new TufTrustedRootSource.Settings(
            repository,
            tuf.flatMap(TufSettings::root),
            cacheBase.resolve(store),
            TufTrustedRootSource.Settings.publicGood(cacheBase).timeout(),
            clock);
    return TrustedRootSource.tuf(settings);
  }

  /** Forgets the sources of stores the policy in force no longer has, so they are not refreshed. */
  void retain(java.util.Set<String> stores) {
    sources.keySet().retainAll(stores);
  }

  /** The stores whose roots are refreshed. */
  java.util.Set<String> stores() {
    return java.util.Set.copyOf(sources.keySet());
  }

  /**
   * Refreshes every source (blocking: call on a worker thread); true when some root changed. A
   * source that cannot be reached or does not verify keeps its last verified root, with a warning.
   */
  public boolean refreshAll() {
    boolean changed = false;
    for (Map.Entry<String, Entry> e : List.copyOf(sources.entrySet())) {
      TrustedRootRefresh result = e.getValue().source().refresh();
      switch (result.outcome()) {
        case UPDATED -> {
          LOG.info("sigstore trust store '{}': {}", e.getKey(), result.message());
          changed = true;
        }
        case CURRENT, FIXED ->
            LOG.debug("sigstore trust store '{}': {}", e.getKey(), result.message());
        default ->
            LOG.warn(
                "sigstore trust store '{}': {}; the last verified trusted root stays in use",
                e.getKey(),
                result.message());
      }
    }
    return changed;
  }

  /** Refreshes on a worker soon after start, then every {@code interval}. */
  void start(Vertx vertx, Duration interval, Runnable onUpdate) {
    Runnable refresh =
        () ->
            vertx.executeBlocking(
                () -> {
                  if (!sources.isEmpty() && refreshAll()) {
                    onUpdate.run();
                  }
                  return null;
                },
                false);
    vertx.setTimer(1, id -> refresh.run());
    timer = vertx.setPeriodic(interval.toMillis(), id -> refresh.run());
  }

  void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
