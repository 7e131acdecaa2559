package io.portcullis.gateway.enforce;

import io.portcullis.core.policy.PolicyEvaluator;
import io.portcullis.core.policy.PolicyException;
import io.portcullis.core.policy.SigstoreTrustStore;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.policy.TrustPolicyLoader;
import io.portcullis.gateway.config.GatewayConfig.PolicyConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust policy in force, re-read when its file or a key or certificate file it names changes (a
 * key replaced in place is a rotation: its revision ends the approvals of the old key). A new file
 * that does not validate is refused with a logged error and the previous policy stays in force, so
 * a typo never opens the gate. The files are checked on a worker thread, never on the event loop.
 * The trusted roots of {@code sigstore} stores refreshed through TUF ({@link
 * SigstoreRootRefresher}) are part of the revision too: a new root reloads the policy.
 */
public final class PolicyHolder {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyHolder.class);

  /** A loaded policy and the evaluator (with its parsed keys and trust stores) made for it. */
  public record Loaded(TrustPolicy policy, PolicyEvaluator evaluator) {}

  private final Path file;
  private final Optional<SigstoreRootRefresher> roots;
  private final Duration rootRefresh;
  private final Duration dctRefresh;
  private volatile Loaded current;
  private volatile Stamp stamp;
  private long timer = -1;

  /** The time and size of the policy file and of each file it read, in order. */
  private record Stamp(List<FileTime> modified, List<Long> sizes) {}

  public PolicyHolder(PolicyConfig config) {
    this(config, Optional.empty());
  }

  /**
   * A holder whose {@code sigstore} stores without a {@code trustedRoot} file take their roots from
   * {@code roots}, refreshed every {@link PolicyConfig#sigstoreRefreshInterval()} once watching.
   */
  public PolicyHolder(PolicyConfig config, Optional<SigstoreRootRefresher> roots) {
    this.file = config.file();
    this.roots = roots;
    this.rootRefresh = config.sigstoreRefreshInterval();
    this.dctRefresh = config.dctRefreshInterval();
    this.current = load(file, roots);
    this.stamp = stampOf(file, current.policy().files());
  }

  /** How long verified DCT metadata answers before its Notary server is asked again. */
  public Duration dctRefresh() {
    return dctRefresh;
  }

  public Loaded current() {
    return current;
  }

  /** Starts watching the file. */
  public void watch(Vertx vertx, long intervalMillis) {
    timer =
        vertx.setPeriodic(
            intervalMillis,
            id ->
                vertx.executeBlocking(
                    () -> {
                      reloadIfChanged();
                      return null;
                    },
                    false));
    roots.ifPresent(r -> r.start(vertx, rootRefresh, this::reloadForNewRoot));
  }

  public void stop(Vertx vertx) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    roots.ifPresent(r -> r.stop(vertx));
  }

  /**
   * Loads the policy again because a Sigstore trusted root changed (called on a worker thread): the
   * new root's digest makes a new revision, so approvals made under the old root end.
   */
  synchronized boolean reloadForNewRoot() {
    try {
      Loaded next = load(file, roots);
      if (next.policy().revision().equals(current.policy().revision())) {
        return false;
      }
      current = next;
      LOG.info(
          "trust policy reloaded for a new Sigstore trusted root (revision {})",
          shortRevision(next));
      return true;
    } catch (PolicyException e) {
      LOG.error(
          "a Sigstore trusted root changed but the policy no longer loads; keeping revision {} in"
              + " force: {}",
          shortRevision(current),
          e.getMessage());
      return false;
    }
  }

  /**
   * Re-reads the policy when the time or size of its file or of a file it read changed; visible for
   * tests.
   */
  synchronized boolean reloadIfChanged() {
    Stamp now = stampOf(file, current.policy().files());
    if (now == null || now.equals(stamp)) {
      return false;
    }
    stamp = now;
    try {
      Loaded next = load(file, roots);
      stamp = stampOf(file, next.policy().files());
      if (next.policy().revision().equals(current.policy().revision())) {
        return false;
      }
      current = next;
      LOG.info("trust policy reloaded from {} (revision {})", file, shortRevision(next));
      return true;
    } catch (PolicyException e) {
      LOG.error(
          "trust policy {} was changed but is invalid; keeping revision {} in force: {}",
          file,
          shortRevision(current),
          e.getMessage());
      return false;
    }
  }

  private static Loaded load(Path file, Optional<SigstoreRootRefresher> roots) {
    TrustPolicy policy =
        roots.isPresent()
            ? TrustPolicyLoader.load(file, roots.get())
            : TrustPolicyLoader.load(file);
    roots.ifPresent(
        r ->
            r.retain(
                policy.trustStores().values().stream()
                    .filter(s -> s instanceof SigstoreTrustStore t && t.refreshed())
                    .map(s -> s.name())
                    .collect(java.util.stream.Collectors.toSet())));
    return new Loaded(policy, new PolicyEvaluator(policy, Clock.systemUTC()));
  }

  private static String shortRevision(Loaded loaded) {
    String r = loaded.policy().revision();
    return r.length() > 19 ? r.substring(0, 19) : r;
  }

  /**
   * Null when the policy file cannot be read (nothing to reload from); a key file that cannot be
   * read counts as changed, and the reload then refuses the policy that names it.
   */
  private static Stamp stampOf(Path file, List<Path> files) {
    List<FileTime> modified = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    for (Path f : concat(file, files)) {
      try {
        modified.add(Files.getLastModifiedTime(f));
        sizes.add(Files.size(f));
      } catch (IOException e) {
        if (f == file) {
          return null;
        }
        modified.add(FileTime.fromMillis(0));
        sizes.add(-1L);
      }
    }
    return new Stamp(modified, sizes);
  }

  private static List<Path> concat(Path file, List<Path> files) {
    List<Path> all = new ArrayList<>(files.size() + 1);
    all.add(file);
    all.addAll(files);
    return all;
  }
}
