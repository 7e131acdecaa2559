package io.portcullis.signer;

import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.TrustedRootRefresh;
import io.portcullis.core.sigstore.TrustedRootSource;
import io.portcullis.core.sigstore.TufTrustedRootSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Sigstore trusted root a command verifies against: {@code --trusted-root FILE} when given;
 * else for {@code verify-bundle} the public-good root shipped in the jar ({@code --staging}: the
 * staging root), as the conformance protocol asks; and for {@code verify} the public-good root
 * refreshed through TUF when the repository answers within {@link #TUF_TIMEOUT}, else the last
 * verified one cached on disk, else the shipped one. An unreadable or malformed file is a usage
 * error: the fix is in the command line.
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
    TufTrustedRootSource source =
        TrustedRootSource.tuf(
            TufTrustedRootSource.Settings.publicGood(
                    TufTrustedRootSource.defaultCacheDirectory(System.getenv()))
                .withTimeout(TUF_TIMEOUT));
    TrustedRootRefresh refresh = source.refresh();
    if (!refresh.verified()) {
      out.println(
          "NOTE trusted root: "
              + refresh.message()
              + "; using the last verified public-good root (cached or shipped)");
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
