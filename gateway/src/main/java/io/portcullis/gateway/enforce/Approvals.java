package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.oci.Digest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What approved manifests let through, per (policy revision, repository, digest): the children of
 * an approved index ({@link Platform}), the config and layers of an approved image ({@link
 * Content}), and the small trust-typed layers of a trust artifact served for an approved subject
 * ({@link Artifact}), which are served only after their bytes were checked. Trust artifacts never
 * add {@link Content}.
 *
 * <p>With shared state, {@link FleetApprovals} makes the approvals of every replica known here.
 *
 * <p>An approval lasts {@link #LIFETIME} from when it was written, however often it is read, so a
 * revoked key stops a steady stream of pulls within that time even without a reload; a new policy
 * revision drops every older approval at once. The entries are bounded by weight, an estimate of
 * their bytes on the heap ({@link #weigh}), so that outsiders who pull many large manifests cannot
 * grow them past {@link #MAX_WEIGHT}.
 */
final class Approvals {
  /** How long an approval stands after it was made. */
  static final Duration LIFETIME = Duration.ofMinutes(30);

  /**
   * The heap the approvals may take, as estimated by {@link #weigh}: about 56,000 approvals, which
   * measure about 17 MiB ({@code ApprovalsFootprint}: 321 bytes each against 597 estimated), so a
   * gateway at {@code -Xmx128m} keeps most of its heap whatever is pulled.
   */
  static final long MAX_WEIGHT = 32L * 1024 * 1024;

  /**
   * The most blobs (config and layers) or children a manifest may list to be approved; a manifest
   * listing more is refused rather than approving them all.
   */
  static final int MAX_LISTED = 1_000;

  /** What an approval allows for one digest. */
  sealed interface Grant permits Platform, Content, Artifact {}

  /**
   * A manifest listed by the approved index {@code index}: served by digest as that index's
   * content. Only an index approves a manifest: a blob of an approved image whose bytes happen to
   * be a manifest (a JSON file in an ORAS artifact, say) approves nothing it lists.
   */
  record Platform(String index) implements Grant {}

  /** A blob served as content: the config or a layer of the approved image {@code approvedBy}. */
  record Content(String approvedBy) implements Grant {}

  /**
   * A layer of a trust artifact of an approved subject, to be served only from verified bytes of
   * the declared media type and size.
   */
  record Artifact(String mediaType, long size) implements Grant {}

  private record Key(String revision, String repository, String digest) {}

  private final Cache<Key, Grant> grants;
  private final Supplier<String> inForce;
  private volatile String seen = "";

  /** {@code inForce} names the policy revision in force now. */
  Approvals(Supplier<String> inForce) {
    this(inForce, LIFETIME, MAX_WEIGHT);
  }

  Approvals(Supplier<String> inForce, Duration lifetime, long maxWeight) {
    this.inForce = inForce;
    this.grants =
        Caffeine.newBuilder()
            .maximumWeight(maxWeight)
            .<Key, Grant>weigher((k, g) -> weigh(k.repository(), k.digest(), g))
            // as expireAfterWrite(lifetime), but an approval read from another replica (adopt)
            // keeps the time it has left there
            .expireAfter(
                new Expiry<Key, Grant>() {
                  @Override
                  public long expireAfterCreate(Key k, Grant g, long now) {
                    return lifetime.toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(Key k, Grant g, long now, long current) {
                    return lifetime.toNanos();
                  }

                  @Override
                  public long expireAfterRead(Key k, Grant g, long now, long current) {
                    return current;
                  }
                })
            .build();
  }

  /**
   * The heap an entry takes, estimated on the safe side of a measurement ({@code
   * ApprovalsFootprint}: 321 bytes for a sha256 digest in a 24-character repository, estimated at
   * 597): Caffeine's node, the key record and its strings (the revision string is shared), the
   * grant.
   */
  static int weigh(String repository, String digest, Grant grant) {
    int strings = 2 * (40 + repository.length() + digest.length());
    int value = 48;
    if (grant instanceof Platform p) {
      value = 16 + 40 + p.index().length();
    } else if (grant instanceof Content c) {
      value = 16 + 40 + c.approvedBy().length();
    }
    return 200 + strings + value;
  }

  /**
   * Records {@code grant} for {@code digest}, made under {@code revision}; nothing when that is no
   * longer the revision in force (a decision that finished after a reload). Content or a platform
   * is never downgraded to an artifact.
   */
  void grant(String revision, String repository, Digest digest, Grant grant) {
    if (!inForce(revision)) {
      return;
    }
    Key key = new Key(revision, repository, digest.toString());
    if (grant instanceof Artifact) {
      grants.asMap().putIfAbsent(key, grant);
    } else {
      grants.put(key, grant);
    }
  }

  /**
   * Records {@code grant} for {@code digest}, made by another replica under {@code revision} and
   * standing for {@code remaining} more; as {@link #grant}, never a downgrade to an artifact.
   */
  void adopt(String revision, String repository, Digest digest, Grant grant, Duration remaining) {
    if (!inForce(revision)) {
      return;
    }
    Key key = new Key(revision, repository, digest.toString());
    var expiry = grants.policy().expireVariably().orElseThrow();
    if (grant instanceof Artifact) {
      expiry.putIfAbsent(key, grant, remaining);
    } else {
      expiry.put(key, grant, remaining);
    }
  }

  /** The grant for {@code digest} under {@code revision}, if any. */
  Optional<Grant> get(String revision, String repository, Digest digest) {
    if (!inForce(revision)) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        grants.getIfPresent(new Key(revision, repository, digest.toString())));
  }

  /** Approximate number of entries, for tests and metrics. */
  long size() {
    grants.cleanUp();
    return grants.estimatedSize();
  }

  /**
   * True when {@code revision} is the one in force; the first call that sees a new revision drops
   * everything approved under older ones.
   */
  private boolean inForce(String revision) {
    String now = inForce.get();
    if (!now.equals(seen)) {
      synchronized (this) {
        if (!now.equals(seen)) {
          grants.invalidateAll();
          seen = now;
        }
      }
    }
    return now.equals(revision);
  }
}
