package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.policy.DctEvidence;
import io.portcullis.core.policy.NotaryTrustStore;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.SignatureRequirement;
import io.portcullis.core.policy.SignatureType;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.tuf.TufException;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Docker Content Trust for the gateway: a GUN's Notary v1 metadata verified (on a worker thread,
 * the fetches blocking that thread only) and kept until it is {@link #REFRESH} old, then verified
 * again; when the server cannot be reached then, the last verified metadata answers until its TUF
 * expiry and never after, and past it the request fails closed with 503. Trust on first use is
 * recorded per trust store and GUN under the data directory ({@code dct/<store>/<gun>/root.json}),
 * or, for a fleet of replicas, in the shared state ({@link FleetFirstUse}).
 */
final class DctTrust {
  /** How long verified metadata answers before the server is asked again: new signatures count. */
  static final Duration REFRESH = Duration.ofSeconds(30);

  /** How old metadata must be before a tag it does not sign makes the gateway ask again. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The longest the last verified metadata is kept for a server that cannot be reached. */
  private static final Duration MAX_KEEP = Duration.ofDays(365);

  private final Vertx vertx;
  private final Path directory;
  private final Clock clock;

  /** The fleet's first-use roots, when the replicas share a state. */
  private final Optional<FleetFirstUse> fleet;

  /** One verification at a time per store and GUN; fresh for {@link #REFRESH}. */
  private final AsyncCache<Key, Verified> fresh;

  /** The last verified metadata, until its TUF expiry: used when the server is unreachable. */
  private final Cache<Key, Verified> lastGood;

  private record Key(NotaryTrustStore store, Gun gun) {}

  /**
   * Verified trust data; its methods may fetch delegations, so they run on a worker, one at once.
   */
  private record Verified(TrustData data, Instant verifiedAt) {}

  /**
   * What the dct requirements of a policy say of a tag: its signed target, or why there is none.
   */
  record TagTarget(Optional<SignedTag> signed, List<String> problems) {}

  DctTrust(Vertx vertx, Path directory, Clock clock) {
    this(vertx, directory, clock, REFRESH);
  }

  /** With metadata answering for {@code refresh} before the server is asked again. */
  DctTrust(Vertx vertx, Path directory, Clock clock, Duration refresh) {
    this(vertx, directory, clock, refresh, Optional.empty());
  }

  /**
   * With the first-use roots of trust stores without {@code rootKeys} recorded in {@code
   * fleetRoots} (the shared state of several replicas) instead of the data directory.
   */
  DctTrust(
      Vertx vertx,
      Path directory,
      Clock clock,
      Duration refresh,
      Optional<FleetDctRoots> fleetRoots) {
    this.vertx = vertx;
    this.directory = directory;
    this.clock = clock;
    this.fleet = fleetRoots.map(roots -> new FleetFirstUse(vertx, roots));
    this.fresh = Caffeine.newBuilder().maximumSize(1000).expireAfterWrite(refresh).buildAsync();
    this.lastGood =
        Caffeine.newBuilder()
            .maximumSize(1000)
            .expireAfter(
                new Expiry<Key, Verified>() {
                  @Override
                  public long expireAfterCreate(Key k, Verified v, long now) {
                    return untilExpiry(v);
                  }

                  @Override
                  public long expireAfterUpdate(Key k, Verified v, long now, long current) {
                    return untilExpiry(v);
                  }

                  @Override
                  public long expireAfterRead(Key k, Verified v, long now, long current) {
                    return current;
                  }
                })
            .build();
  }

  /**
   * Until the metadata's TUF expiry, at most {@link #MAX_KEEP}: a root may set its expiry centuries
   * ahead, beyond what a duration in nanoseconds holds.
   */
  private long untilExpiry(Verified v) {
    Duration left = Duration.between(clock.instant(), v.data().expires());
    if (left.isNegative()) {
      return 0;
    }
    return left.compareTo(MAX_KEEP) > 0 ? MAX_KEEP.toNanos() : left.toNanos();
  }

  /** The policy's dct requirements. */
  static List<SignatureRequirement> requirements(Policy policy) {
    if (!policy.signatureTypes().contains(SignatureType.DCT)) {
      return List.of();
    }
    return policy.signatures().orElseThrow().requirements().stream()
        .filter(r -> r.type() == SignatureType.DCT)
        .toList();
  }

  /**
   * For each dct requirement of {@code policy}, the signed tags of its roles that name {@code
   * digest}, or why none count. Fails with 503 when a Notary server could not be asked.
   */
  Future<List<DctEvidence>> evidence(
      UpstreamRoute route, TrustPolicy trust, Policy policy, Digest digest) {
    List<Future<DctEvidence>> each =
        askEach(route, trust, policy, (data, roles) -> data.signedFor(digest, roles));
    return Future.all(each).map(v -> each.stream().map(Future::result).toList());
  }

  /**
   * Asks every dct requirement of {@code policy} for the targets {@code signed} picks from its
   * GUN's verified metadata, under the requirement's roles.
   */
  private List<Future<DctEvidence>> askEach(
      UpstreamRoute route, TrustPolicy trust, Policy policy, Pick signed) {
    List<Future<DctEvidence>> each = new ArrayList<>();
    for (SignatureRequirement requirement : requirements(policy)) {
      each.add(
          ask(
              route,
              trust,
              requirement,
              data ->
                  DctEvidence.signed(
                      requirement.trustStore(),
                      requirement.roles(),
                      signed.pick(data, requirement.roles()))));
    }
    return each;
  }

  /**
   * The target signed for {@code tag} by the first of the policy's dct requirements that has one. A
   * tag signed in none is asked once more of metadata verified at least {@link #RECHECK} ago, so a
   * tag signed a moment ago is served without waiting for {@link #REFRESH}. Fails with 503 when a
   * Notary server could not be asked.
   */
  Future<TagTarget> resolve(UpstreamRoute route, TrustPolicy trust, Policy policy, String tag) {
    return resolveOnce(route, trust, policy, tag)
        .compose(
            first -> {
              if (first.signed().isPresent()) {
                return Future.succeededFuture(first);
              }
              boolean dropped = false;
              for (SignatureRequirement requirement : requirements(policy)) {
                dropped |= dropIfOlder(key(route, trust, requirement), RECHECK);
              }
              return dropped
                  ? resolveOnce(route, trust, policy, tag)
                  : Future.succeededFuture(first);
            });
  }

  private Future<TagTarget> resolveOnce(
      UpstreamRoute route, TrustPolicy trust, Policy policy, String tag) {
    List<Future<DctEvidence>> each =
        askEach(route, trust, policy, (data, roles) -> List.of(data.resolve(tag, roles)));
    return Future.all(each)
        .map(
            v -> {
              List<String> problems = new ArrayList<>();
              for (Future<DctEvidence> f : each) {
                if (!f.result().signed().isEmpty()) {
                  return new TagTarget(Optional.of(f.result().signed().get(0)), List.of());
                }
                f.result().problem().ifPresent(problems::add);
              }
              return new TagTarget(Optional.empty(), problems);
            });
  }

  /** Forgets the fresh metadata of {@code key} when it was verified more than {@code age} ago. */
  private boolean dropIfOlder(Optional<Key> key, Duration age) {
    if (key.isEmpty()) {
      return false;
    }
    CompletableFuture<Verified> current = fresh.getIfPresent(key.get());
    if (current == null || !current.isDone() || current.isCompletedExceptionally()) {
      return false;
    }
    Verified v = current.join();
    if (v.verifiedAt().plus(age).isAfter(clock.instant())) {
      return false;
    }
    return fresh.asMap().remove(key.get(), current);
  }

  private static Optional<Key> key(
      UpstreamRoute route, TrustPolicy trust, SignatureRequirement requirement) {
    NotaryTrustStore store = (NotaryTrustStore) trust.trustStore(requirement.trustStore());
    try {
      return Optional.of(new Key(store, gun(route, store)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Gun gun(UpstreamRoute route, NotaryTrustStore store) {
    return store.gun(hostAndPort(route.upstream().config().url()), route.upstreamName());
  }

  /** What {@code read} makes of the GUN's verified metadata, or why it does not verify. */
  private Future<DctEvidence> ask(
      UpstreamRoute route, TrustPolicy trust, SignatureRequirement requirement, Reader read) {
    NotaryTrustStore store = (NotaryTrustStore) trust.trustStore(requirement.trustStore());
    Gun gun;
    try {
      gun = gun(route, store);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(
          DctEvidence.refused(store.name(), requirement.roles(), e.getMessage()));
    }
    return ask(store, gun, requirement.roles(), read);
  }

  /**
   * The target signed for {@code tag} in {@code roles} of {@code gun}'s metadata in {@code store}.
   */
  Future<DctEvidence> tag(NotaryTrustStore store, Gun gun, List<String> roles, String tag) {
    return ask(
        store,
        gun,
        roles,
        data -> DctEvidence.signed(store.name(), roles, List.of(data.resolve(tag, roles))));
  }

  private Future<DctEvidence> ask(
      NotaryTrustStore store, Gun gun, List<String> roles, Reader read) {
    return trustData(new Key(store, gun))
        .compose(
            verified ->
                vertx.executeBlocking(
                    () -> {
                      synchronized (verified) {
                        return read.read(verified.data());
                      }
                    },
                    false))
        .recover(err -> outcome(store, roles, gun, err));
  }

  /** A verification that failed is a refusal; a server that could not be asked is a 503. */
  private static Future<DctEvidence> outcome(
      NotaryTrustStore store, List<String> roles, Gun gun, Throwable err) {
    if (err instanceof TufException e && !e.isNetworkFailure()) {
      return Future.succeededFuture(
          DctEvidence.refused(
              store.name(),
              roles,
              "the DCT metadata of " + gun + " on " + store.server() + ": " + e.getMessage()));
    }
    if (err instanceof OciException) {
      return Future.failedFuture(err);
    }
    return Future.failedFuture(
        OciException.of(
            OciErrorCode.UNAVAILABLE,
            "could not verify: the Notary server of trust store '"
                + store.name()
                + "' could not be asked about "
                + gun
                + " ("
                + err.getMessage()
                + "); refusing until it can"));
  }

  private Future<Verified> trustData(Key key) {
    return trustData(key, true);
  }

  private Future<Verified> trustData(Key key, boolean again) {
    var context = vertx.getOrCreateContext();
    CompletableFuture<Verified> verified =
        fresh.get(
            key,
            (k, executor) ->
                verify(k)
                    .recover(err -> fallBack(k, err))
                    .toCompletionStage()
                    .toCompletableFuture());
    // Whatever the cache's own timing (it keeps time by its ticker, not this clock), metadata past
    // its TUF expiry never answers: it is verified again, which fails closed if it cannot be.
    if (verified.isDone()
        && !verified.isCompletedExceptionally()
        && !clock.instant().isBefore(verified.join().data().expires())) {
      fresh.asMap().remove(key, verified);
      return again
          ? trustData(key, false)
          : Future.failedFuture(
              OciException.of(
                  OciErrorCode.UNAVAILABLE,
                  "the DCT metadata of "
                      + key.gun()
                      + " has expired; refusing until it is renewed"));
    }
    return Future.fromCompletionStage(verified, context);
  }

  /** The last verified metadata when the server cannot be reached, while its TUF expiry allows. */
  private Future<Verified> fallBack(Key key, Throwable err) {
    Verified last = lastGood.getIfPresent(key);
    if (err instanceof TufException e
        && e.isNetworkFailure()
        && last != null
        && clock.instant().isBefore(last.data().expires())) {
      return Future.succeededFuture(last);
    }
    return Future.failedFuture(err);
  }

  private Future<Verified> verify(Key key) {
    Path at = storeDirectory(key);
    if (fleet.isPresent() && key.store().rootKeys().isEmpty()) {
      return fleet
          .get()
          .verify(
              key.store().name(),
              key.gun().value(),
              at,
              root -> key.store().verifyFromRecord(key.gun(), TIMEOUT, clock, at, root))
          .map(data -> kept(key, data));
    }
    return vertx.executeBlocking(
        () -> kept(key, key.store().verify(key.gun(), TIMEOUT, clock, at)), false);
  }

  private Verified kept(Key key, TrustData data) {
    Verified verified = new Verified(data, clock.instant());
    lastGood.put(key, verified);
    return verified;
  }

  /** Per store and GUN, so that two stores never share a first-use record. */
  private Path storeDirectory(Key key) {
    return directory
        .resolve(URLEncoder.encode(key.store().name(), StandardCharsets.UTF_8))
        .resolve(URLEncoder.encode(key.gun().value(), StandardCharsets.UTF_8));
  }

  /** The registry address as {@code docker trust sign} names it: host, and port when given. */
  static String hostAndPort(URI url) {
    return url.getPort() == -1 ? url.getHost() : url.getHost() + ":" + url.getPort();
  }

  @FunctionalInterface
  private interface Reader {
    DctEvidence read(TrustData data) throws TufException, IOException;
  }

  /** The signed targets of verified metadata that count, under {@code roles}. */
  private interface Pick {
    List<SignedTag> pick(TrustData data, List<String> roles) throws TufException, IOException;
  }
}
