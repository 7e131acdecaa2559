package io.portcullis.signer;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.policy.SigstoreRoots;
import io.portcullis.core.policy.SigstoreTrustStore.TufSettings;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.TrustedRootRefresh;
import io.portcullis.core.sigstore.TrustedRootSource;
import io.portcullis.core.sigstore.TufTrustedRootSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The Sigstore trusted root a command verifies against: {@code --trusted-root FILE} when given;
 * else for {@code verify-bundle} the public-good root shipped in the jar ({@code --staging}: the
 * staging root), as the conformance protocol asks; and for {@code verify} the public-good root
 * refreshed through TUF when the repository answers within {@link #TUF_TIMEOUT}, else the last
 * verified one cached on disk, else the shipped one; and for {@code verify --policy} the roots of
 * its {@code sigstore} stores, refreshed the same way from their TUF repositories. An unreadable or
 * malformed file is a usage error: the fix is in the command line.
 */
final class TrustedRoots {
  /** A CLI run should not hang on an unreachable TUF repository; the cache or snapshot serves. */
  static final Duration TUF_TIMEOUT = Duration.ofSeconds(5);

  private TrustedRoots() {}

  /** {@code verify-bundle}'s root: the file, or the shipped public-good or staging root. */
  static TrustedRoot load(Path file, boolean staging) {
    if (file != null) {
      return fromFile(file);
    }
    return (staging ? TrustedRootSource.staging() : TrustedRootSource.shipped()).current();
  }

  /**
   * {@code verify}'s root: the file, or the public-good root refreshed through TUF if it can be.
   */
  static TrustedRoot refreshed(Path file, PrintWriter out) {
    if (file != null) {
      return fromFile(file);
    }
    return refresh(
        TufTrustedRootSource.Settings.publicGood(
                TufTrustedRootSource.defaultCacheDirectory(System.getenv()))
            .withTimeout(TUF_TIMEOUT),
        "trusted root",
        out);
  }

  /**
   * {@code verify --policy}'s roots of the {@code sigstore} stores that name no {@code trustedRoot}
   * file, as the gateway's: each refreshed once from its TUF repository (the public-good one, or
   * the store's {@code tuf} mirror from its pinned TUF root) within {@link #TUF_TIMEOUT}, else its
   * last verified root, with a NOTE line. Mirrors are cached apart, by URL, under {@code
   * cacheBase/mirrors}. ({@code policy lint} checks the file only and keeps the shipped root.)
   */
  static SigstoreRoots forPolicy(Path cacheBase, PrintWriter out) {
    return (store, tuf) -> {
      TufTrustedRootSource.Settings settings =
          tuf.map(t -> mirror(cacheBase, t))
              .orElseGet(() -> TufTrustedRootSource.Settings.publicGood(cacheBase))
              .withTimeout(TUF_TIMEOUT);
      return refresh(settings, "trusted root of '" + store + "'", out);
    };
  }

  private static TufTrustedRootSource.Settings mirror(Path cacheBase, TufSettings tuf) {
    String key = Digest.sha256(tuf.url().getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    return new TufTrustedRootSource.Settings(
        URI.create(tuf.url()),
        tuf.root(),
        cacheBase.resolve("mirrors").resolve(key),
        TUF_TIMEOUT,
        Clock.systemUTC());
  }

  private static TrustedRoot refresh(
      TufTrustedRootSource.Settings settings, String what, PrintWriter out) {
    TrustedRootRefresh refresh;
    try {
      refresh = TrustedRootSource.tuf(settings).refresh();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot start the TUF client: " + e.getMessage(), e);
    }
    if (!refresh.verified()) {
      out.println(
          "NOTE "
              + what
              + ": "
              + refresh.message()
              + "; using the last verified root (cached, else the shipped public-good one)");
    }
    return refresh.root();
  }

  static TrustedRoot fromFile(Path file) {
    try {
      return TrustedRootSource.file(file).current();
    } catch (IOException e) {
      throw new UsageException("cannot read --trusted-root " + file);
    } catch (SigstoreFormatException e) {
      throw new UsageException("--trusted-root " + file + ": " + e.getMessage());
    }
  }
}
