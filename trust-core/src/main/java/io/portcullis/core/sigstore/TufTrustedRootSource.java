package io.portcullis.core.sigstore;

import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufClient;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufMetadataStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Sigstore trusted root kept current through TUF (<a
 * href="https://github.com/sigstore/root-signing">sigstore/root-signing</a>): {@code
 * trusted_root.json} is a target of the repository, fetched and verified by {@link TufClient} from
 * a pinned TUF root, and cached with the TUF metadata in a directory.
 *
 * <p>It starts from the cached verified root when there is one, else from the shipped snapshot, so
 * it works offline from the first run; a repository pinned by its own TUF root (not the shipped
 * public-good one) starts from a root that trusts nothing until its first refresh. A refresh that
 * fails (network down, an expired or tampered repository) leaves the last verified root in use and
 * says why in its result.
 *
 * <p>The cache records the SHA-256 of the pinned TUF root it was built from ({@value
 * #PINNED_MARKER}). A cache built from another pinned root (a store moved to a private repository
 * under the same name, say) is neither used at start nor trusted by the refresh, which starts
 * afresh from the pinned root: else its stored {@code root.json}, newer than the pinned one and
 * signed by itself, would vouch for whatever repository it came from.
 */
public final class TufTrustedRootSource implements TrustedRootSource {
  /** The target name of the trusted root in Sigstore's TUF repositories. */
  public static final String TARGET = "trusted_root.json";

  /** The file in the cache directory naming the pinned root the cache was built from. */
  static final String PINNED_MARKER = "pinned-root.sha256";

  /** Trusts no log, CA or timestamp authority: every keyless bundle fails against it. */
  private static final TrustedRoot EMPTY =
      new TrustedRoot(
          TrustedRoot.MEDIA_TYPE_PREFIX + "+json;version=0.1",
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          MerkleProofs.sha256().digest(new byte[0]));

  private static final List<String> METADATA =
      List.of("root.json", "timestamp.json", "snapshot.json", "targets.json");

  /**
   * @param repository the TUF repository or a mirror of it
   * @param pinnedRoot a TUF root file to start from; empty for the shipped public-good one
   * @param cacheDirectory where the TUF metadata and the verified trusted root are kept; one
   *     directory per repository (a mirror of it may share it)
   * @param timeout connect and request deadline of each fetch
   */
  public record Settings(
      URI repository,
      Optional<Path> pinnedRoot,
      Path cacheDirectory,
      Duration timeout,
      Clock clock) {
    public Settings {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(pinnedRoot, "pinnedRoot");
      Objects.requireNonNull(cacheDirectory, "cacheDirectory");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(clock, "clock");
    }

    /** The public-good repository with the shipped TUF root and the default timeout. */
    public static Settings publicGood(Path cacheDirectory) {
      return new Settings(
          URI.create(PUBLIC_GOOD_TUF_URL),
          Optional.empty(),
          cacheDirectory,
          HttpTufRemote.DEFAULT_TIMEOUT,
          Clock.systemUTC());
    }

    public Settings withTimeout(Duration value) {
      return new Settings(repository, pinnedRoot, cacheDirectory, value, clock);
    }
  }

  private final Settings settings;
  private final TufMetadataStore store;
  private final HttpTufRemote remote;
  private final String description;
  private volatile TrustedRoot current;

  TufTrustedRootSource(Settings settings) {
    this.settings = settings;
    this.store = new TufMetadataStore(settings.cacheDirectory());
    this.remote = new HttpTufRemote(settings.repository(), settings.timeout());
    this.description = "the TUF repository " + settings.repository();
    this.current = cachedOrShipped();
  }

  /**
   * The cache directory when none is configured: {@code $XDG_CACHE_HOME/portcullis/sigstore-tuf},
   * else {@code ~/.cache/portcullis/sigstore-tuf}.
   */
  public static Path defaultCacheDirectory(Map<String, String> environment) {
    String xdg = environment.get("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("portcullis").resolve("sigstore-tuf");
  }

  @Override
  public TrustedRoot current() {
    return current;
  }

  @Override
  public String description() {
    return description;
  }

  /**
   * Runs the TUF update and downloads {@code trusted_root.json}. Serialised: concurrent callers
   * wait for each other rather than race on the cache directory.
   */
  @Override
  public synchronized TrustedRootRefresh refresh() {
    TrustedRoot before = current;
    try {
      Files.createDirectories(settings.cacheDirectory());
      byte[] pinned = pinnedRoot();
      if (!builtFrom(settings.cacheDirectory(), pinned)) {
        for (String file : METADATA) {
          store.delete(file);
        }
        store.deleteTarget(TARGET);
        markPinnedRoot(settings.cacheDirectory(), pinned);
      }
      TufClient client =
          TufClient.open(TufClient.Settings.of(remote, store, pinned, settings.clock()));
      client.refresh();
      TrustedRoot fresh = TrustedRoot.parse(client.download(TARGET, TrustedRoot.MAX_BYTES));
      if (Arrays.equals(fresh.sha256(), before.sha256())) {
        return result(TrustedRootRefresh.Outcome.CURRENT, "trusted root is current");
      }
      current = fresh;
      return result(TrustedRootRefresh.Outcome.UPDATED, "trusted root updated");
    } catch (TufException e) {
      TrustedRootRefresh.Outcome outcome =
          e.isNetworkFailure()
              ? TrustedRootRefresh.Outcome.UNAVAILABLE
              : TrustedRootRefresh.Outcome.REFUSED;
      return result(outcome, e.getMessage());
    } catch (SigstoreFormatException e) {
      return result(
          TrustedRootRefresh.Outcome.REFUSED, TARGET + " is not a trusted root: " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      return result(TrustedRootRefresh.Outcome.REFUSED, "TUF cache or pinned root: " + e);
    }
  }

  private TrustedRootRefresh result(TrustedRootRefresh.Outcome outcome, String message) {
    return new TrustedRootRefresh(outcome, description + ": " + message, current);
  }

  private byte[] pinnedRoot() throws IOException {
    if (settings.pinnedRoot().isPresent()) {
      return Files.readAllBytes(settings.pinnedRoot().get());
    }
    return TrustedRootSource.resource(SHIPPED_TUF_ROOT_RESOURCE);
  }

  /** Whether the cache in {@code directory} was built from {@code pinnedRoot}. */
  private static boolean builtFrom(Path directory, byte[] pinnedRoot) throws IOException {
    Path marker = directory.resolve(PINNED_MARKER);
    return Files.exists(marker)
        && Files.readString(marker, StandardCharsets.US_ASCII).equals(sha256Hex(pinnedRoot));
  }

  /** Records that the cache in {@code directory} is built from {@code pinnedRoot}. */
  static void markPinnedRoot(Path directory, byte[] pinnedRoot) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(
        directory.resolve(PINNED_MARKER), sha256Hex(pinnedRoot), StandardCharsets.US_ASCII);
  }

  private static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(MerkleProofs.sha256().digest(bytes));
  }

  /**
   * The root a previous refresh from the same pinned root verified and cached; else, for the
   * shipped public-good TUF root, the shipped snapshot; else (a repository pinned by its own root,
   * a private Sigstore deployment) a root that trusts nothing until a refresh verifies one: the
   * public-good snapshot is not what such a store trusts.
   */
  private TrustedRoot cachedOrShipped() {
    try {
      Optional<byte[]> cached = store.readTarget(TARGET);
      if (cached.isPresent() && builtFrom(settings.cacheDirectory(), pinnedRoot())) {
        return TrustedRoot.parse(cached.get());
      }
    } catch (IOException | RuntimeException e) {
      // an unreadable cache is the same as none
    }
    if (settings.pinnedRoot().isPresent()) {
      return EMPTY;
    }
    return TrustedRoot.parse(TrustedRootSource.resource(SHIPPED_RESOURCE));
  }
}
