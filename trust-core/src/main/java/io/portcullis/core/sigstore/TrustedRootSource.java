package io.portcullis.core.sigstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the {@link TrustedRoot} a verifier uses comes from: the public-good snapshot shipped in the
 * jar ({@link #shipped()}), the staging one ({@link #staging()}), a file for air-gapped sites and
 * private Sigstore deployments ({@link #file(Path)}), or the public-good (or a mirrored) TUF
 * repository, refreshed and cached ({@link #tuf(TufTrustedRootSource.Settings)}).
 *
 * <p>{@link #current()} is cheap and safe from any thread, the gateway's event loop included;
 * {@link #refresh()} blocks on the network and belongs on a worker thread.
 */
public interface TrustedRootSource {
  /** The public-good Sigstore TUF repository. */
  String PUBLIC_GOOD_TUF_URL = "https://tuf-repo-cdn.sigstore.dev";

  String SHIPPED_RESOURCE = "public-good-trusted_root.json";
  String STAGING_RESOURCE = "staging-trusted_root.json";
  String SHIPPED_TUF_ROOT_RESOURCE = "public-good-tuf-root.json";

  /** The trusted root to verify with now: the last one verified. */
  TrustedRoot current();

  /** Where the root comes from, for logs and messages. */
  String description();

  /**
   * Tries to bring the root up to date. It never throws for a network or verification failure: the
   * result says what happened and {@link #current()} keeps the last verified root.
   */
  default TrustedRootRefresh refresh() {
    return new TrustedRootRefresh(
        TrustedRootRefresh.Outcome.FIXED, description() + " is not refreshed", current());
  }

  /** The public-good trusted root shipped in this jar (sigstore/root-signing, 2026-08-21). */
  static TrustedRootSource shipped() {
    return new FixedTrustedRootSource(
        TrustedRoot.parse(resource(SHIPPED_RESOURCE)), "the shipped public-good trusted root");
  }

  /** The staging trusted root shipped in this jar, for {@code verify-bundle --staging}. */
  static TrustedRootSource staging() {
    return new FixedTrustedRootSource(
        TrustedRoot.parse(resource(STAGING_RESOURCE)), "the shipped staging trusted root");
  }

  /**
   * The trusted root in {@code file}, read once.
   *
   * @throws SigstoreFormatException when it is not a trusted root
   */
  static TrustedRootSource file(Path file) throws IOException {
    if (Files.size(file) > TrustedRoot.MAX_BYTES) {
      throw new SigstoreFormatException(
          file + " is larger than " + TrustedRoot.MAX_BYTES + " bytes");
    }
    return new FixedTrustedRootSource(TrustedRoot.parse(Files.readAllBytes(file)), file.toString());
  }

  /**
   * A root refreshed through TUF, starting from its cache or the shipped snapshot.
   *
   * @throws IllegalArgumentException when the repository is not an http(s) URL
   */
  static TufTrustedRootSource tuf(TufTrustedRootSource.Settings settings) {
    return new TufTrustedRootSource(settings);
  }

  /** The bytes of a resource shipped beside this class. */
  static byte[] resource(String name) {
    try (InputStream in = TrustedRootSource.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
