package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.pin.Lockfile;
import io.portcullis.core.policy.CheckResult;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.UpstreamArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for every manifest request under a trust policy, what a client gets: the exact bytes
 * that were verified (never a second fetch between verify and serve), resolved from a tag through
 * the policy's pin mode, or a {@code DENIED} error that says which policy and which checks failed.
 * Decisions are cached per policy revision and digest, one evaluation at a time per key; the
 * cryptography runs on worker threads. Blobs are served under an enforcing policy only when an
 * approved manifest in the same repository refers to them.
 */
public final class Enforcer {
  private final Vertx vertx;
  private final PolicyHolder policies;
  private final PinStore pins;
  private final Optional<AuditLog> audit;
  private final GatewayMetrics metrics;
  private final EvidenceCollector evidence = new EvidenceCollector();
  private final AsyncCache<DecisionKey, PolicyDecision> decisions;
  private final Cache<String, Boolean> approvedContent =
      Caffeine.newBuilder().maximumSize(1_000_000).expireAfterAccess(Duration.ofHours(24)).build();
  private final Cache<Path, Lockfile> lockfiles =
      Caffeine.newBuilder().maximumSize(100).expireAfterWrite(Duration.ofSeconds(2)).build();

  /** What is served for a manifest request. */
  public record Approved(byte[] bytes, String mediaType, Digest digest) {}

  private record DecisionKey(String revision, String policy, String repository, String digest) {}

  /** An enforcer that counts its decisions by policy and outcome in {@code metrics}. */
  public Enforcer(
      Vertx vertx,
      PolicyHolder policies,
      PinStore pins,
      Optional<AuditLog> audit,
      GatewayMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.policies = policies;
    this.pins = pins;
    this.audit = audit;
    this.decisions =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfter(
                new Expiry<DecisionKey, PolicyDecision>() {
                  // An approval stands for a while; a refusal is re-checked soon, so a signature
                  // pushed after a denial takes effect without a restart.
                  @Override
                  public long expireAfterCreate(DecisionKey k, PolicyDecision d, long now) {
                    return (d.satisfied() ? Duration.ofMinutes(10) : Duration.ofSeconds(15))
                        .toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      DecisionKey k, PolicyDecision d, long now, long current) {
                    return expireAfterCreate(k, d, now);
                  }

                  @Override
                  public long expireAfterRead(
                      DecisionKey k, PolicyDecision d, long now, long current) {
                    return current;
                  }
                })
            .buildAsync();
  }

  /**
   * The manifest to serve for {@code reference}, or a null result when no policy applies (the
   * caller then proxies as usual). Fails with {@code DENIED} (403) or, when the trust data could
   * not be fetched, {@code UNAVAILABLE} (503): both fail closed. Audit records carry {@code
   * requestId} (null when the request had none).
   */
  public Future<Approved> manifest(
      String client, String requestId, UpstreamRoute route, Reference reference) {
    PolicyHolder.Loaded loaded = policies.current();
    String repo = route.canonicalName();
    Optional<Policy> found = loaded.policy().policyFor(repo);
    if (found.isEmpty() || found.get().mode() == Mode.OFF) {
      return Future.succeededFuture(null);
    }
    Request r = new Request(client, requestId, route, loaded, found.get(), reference);
    if (reference.isDigest()) {
      Digest digest = reference.digest().orElseThrow();
      return fetch(r, digest.toString())
          .compose(
              m -> {
                if (approvedContent.getIfPresent(repo + "@" + digest) != null) {
                  return Future.succeededFuture(approve(r, m));
                }
                return check(r, m, null);
              });
    }
    String tag = reference.tag().orElseThrow().value();
    if (SignatureArtifacts.isSignatureTag(tag)) {
      return fetch(r, tag).compose(m -> check(r, m, tag));
    }
    Optional<String> tagDenial = r.policy.tagDenial(tag);
    if (tagDenial.isPresent() && r.policy.mode() == Mode.ENFORCE) {
      record(r, tag, null, "denied", List.of("tags.allowLatest"), List.of(), tagDenial.get());
      return Future.failedFuture(
          denied("denied by policy '" + r.policy.name() + "': " + tagDenial.get()));
    }
    return switch (r.policy.tags().pin()) {
      case NONE -> fetch(r, tag).compose(m -> check(r, m, tag));
      case LOCKFILE -> lockfile(r, tag);
      case SIGNED -> signed(r, tag);
      case FIRST_SEEN -> firstSeen(r, tag);
    };
  }

  /** Fails with {@code DENIED} for a blob that no approved manifest of this repository uses. */
  public Future<Void> blob(UpstreamRoute route, Digest digest) {
    String repo = route.canonicalName();
    Optional<Policy> policy = policies.current().policy().policyFor(repo);
    if (policy.isEmpty()
        || policy.get().mode() != Mode.ENFORCE
        || approvedContent.getIfPresent(repo + "@" + digest) != null) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(
        denied(
            "blob "
                + digest
                + " is not part of a manifest approved by policy '"
                + policy.get().name()
                + "' in "
                + repo
                + "; pull the image by its tag or manifest digest first"));
  }

  private Future<Approved> lockfile(Request r, String tag) {
    Path file = r.policy.tags().lockfile().orElseThrow();
    return vertx
        .executeBlocking(() -> lockfiles.get(file, Lockfile::load).lookup(r.repo(), tag), false)
        .recover(
            err ->
                Future.failedFuture(
                    OciException.of(
                        OciErrorCode.UNAVAILABLE,
                        "could not verify: lockfile "
                            + file
                            + " of policy '"
                            + r.policy.name()
                            + "' is unreadable: "
                            + err.getMessage())))
        .compose(
            pinned -> {
              if (pinned.isEmpty()) {
                String msg =
                    "denied by policy '"
                        + r.policy.name()
                        + "': tag "
                        + tag
                        + " of "
                        + r.repo()
                        + " is not in lockfile "
                        + file.getFileName()
                        + "; pin it with 'portcullis-signer pin'";
                record(r, tag, null, "denied", List.of("tags.pin: lockfile"), List.of(), msg);
                return Future.failedFuture(denied(msg));
              }
              return fetch(r, pinned.get().toString()).compose(m -> check(r, m, tag));
            });
  }

  /**
   * The newest digest that satisfies the policy; when the tag moves to one that does not, the last
   * approved one.
   */
  private Future<Approved> signed(Request r, String tag) {
    return fetch(r, tag)
        .compose(
            m ->
                decide(r, m)
                    .compose(
                        d -> {
                          if (d.satisfied()) {
                            pins.put(r.repo(), tag, m.digest());
                            return Future.succeededFuture(serve(r, m, tag, d));
                          }
                          Optional<Digest> last = pins.get(r.repo(), tag);
                          if (r.policy.mode() == Mode.ENFORCE
                              && last.isPresent()
                              && !last.get().equals(m.digest())) {
                            return fetch(r, last.get().toString())
                                .compose(
                                    previous ->
                                        decide(r, previous)
                                            .compose(
                                                pd -> {
                                                  if (!pd.satisfied()) {
                                                    return Future.failedFuture(
                                                        refuse(r, m, tag, d));
                                                  }
                                                  record(
                                                      r,
                                                      tag,
                                                      previous.digest().toString(),
                                                      "served-last-approved",
                                                      names(d.failures()),
                                                      pd.signers(),
                                                      "upstream moved the tag to "
                                                          + m.digest()
                                                          + ", which policy '"
                                                          + r.policy.name()
                                                          + "' does not allow; serving the last approved digest");
                                                  return Future.succeededFuture(
                                                      approve(r, previous));
                                                }));
                          }
                          return d.allowed()
                              ? Future.succeededFuture(serve(r, m, tag, d))
                              : Future.failedFuture(refuse(r, m, tag, d));
                        }));
  }

  /**
   * Trust on first use: the first digest seen for a tag is kept; a later upstream change is
   * refused.
   */
  private Future<Approved> firstSeen(Request r, String tag) {
    return fetch(r, tag)
        .compose(
            m -> {
              Optional<Digest> first = pins.get(r.repo(), tag);
              if (first.isPresent() && !first.get().equals(m.digest())) {
                String msg =
                    "denied by policy '"
                        + r.policy.name()
                        + "': tag "
                        + tag
                        + " of "
                        + r.repo()
                        + " was first seen as "
                        + first.get()
                        + " but upstream now has "
                        + m.digest()
                        + "; first-seen pinning refuses changes until approved (remove the pin from the gateway's pins.json)";
                if (r.policy.mode() == Mode.ENFORCE) {
                  record(
                      r,
                      tag,
                      m.digest().toString(),
                      "denied",
                      List.of("tags.pin: first-seen"),
                      List.of(),
                      msg);
                  return Future.failedFuture(denied(msg));
                }
                record(
                    r,
                    tag,
                    m.digest().toString(),
                    "audit-would-deny",
                    List.of("tags.pin: first-seen"),
                    List.of(),
                    msg);
              }
              return check(r, m, tag)
                  .onSuccess(
                      a -> {
                        if (first.isEmpty()) {
                          pins.put(r.repo(), tag, a.digest());
                        }
                      });
            });
  }

  /** Serves trust artifacts as they are; everything else after a policy decision. */
  private Future<Approved> check(Request r, Fetched m, String tag) {
    if (SignatureArtifacts.isSignatureManifest(m.bytes(), m.mediaType())) {
      return Future.succeededFuture(approve(r, m));
    }
    return decide(r, m)
        .compose(
            d ->
                d.allowed()
                    ? Future.succeededFuture(serve(r, m, tag, d))
                    : Future.failedFuture(refuse(r, m, tag, d)));
  }

  private Approved serve(Request r, Fetched m, String tag, PolicyDecision d) {
    String outcome = d.satisfied() ? "allowed" : "audit-would-deny";
    record(r, tag, m.digest().toString(), outcome, names(d.failures()), d.signers(), d.message());
    return approve(r, m);
  }

  private OciException refuse(Request r, Fetched m, String tag, PolicyDecision d) {
    record(r, tag, m.digest().toString(), "denied", names(d.failures()), d.signers(), d.message());
    return denied(d.message());
  }

  /** Remembers what an approved manifest lets through: an index's children, an image's blobs. */
  private Approved approve(Request r, Fetched m) {
    String prefix = r.repo() + "@";
    try {
      if (MediaTypes.isIndex(m.mediaType())) {
        for (Descriptor child : ManifestCodec.readIndex(m.bytes()).manifests()) {
          approvedContent.put(prefix + child.digest(), Boolean.TRUE);
        }
      } else {
        var manifest = ManifestCodec.readManifest(m.bytes());
        if (manifest.config() != null) {
          approvedContent.put(prefix + manifest.config().digest(), Boolean.TRUE);
        }
        for (Descriptor layer : manifest.layers()) {
          approvedContent.put(prefix + layer.digest(), Boolean.TRUE);
        }
      }
    } catch (IllegalArgumentException unreadable) {
      // Served as fetched; nothing it refers to becomes approved.
    }
    return new Approved(m.bytes(), m.mediaType(), m.digest());
  }

  /**
   * The (cached) decision on {@code m}: its evidence is collected from the manifest bytes already
   * fetched, so the decision and what is served are the same document.
   */
  private Future<PolicyDecision> decide(Request r, Fetched m) {
    Digest digest = m.digest();
    DecisionKey key =
        new DecisionKey(r.loaded.policy().revision(), r.policy.name(), r.repo(), digest.toString());
    var context = vertx.getOrCreateContext();
    return Future.fromCompletionStage(
            decisions.get(
                key,
                (k, executor) ->
                    evidence
                        .collect(r.route, m, r.policy)
                        .compose(
                            ev ->
                                vertx.executeBlocking(
                                    () -> r.loaded.evaluator().evaluate(r.policy, ev), false))
                        .toCompletionStage()
                        .toCompletableFuture()),
            context)
        .recover(err -> Future.failedFuture(unverifiable(r, digest, err)));
  }

  private Future<Fetched> fetch(Request r, String reference) {
    return UpstreamArtifacts.manifest(r.route, reference, r.accept())
        .compose(
            found ->
                found
                    .map(Future::succeededFuture)
                    .orElseGet(
                        () ->
                            Future.failedFuture(
                                OciException.of(
                                    OciErrorCode.MANIFEST_UNKNOWN,
                                    "manifest unknown: " + reference))));
  }

  private OciException unverifiable(Request r, Digest digest, Throwable err) {
    String reason = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    String msg =
        "could not verify "
            + r.repo()
            + "@"
            + digest
            + " against policy '"
            + r.policy.name()
            + "' ("
            + reason
            + "); refusing until it can be verified";
    record(r, null, digest.toString(), "unverifiable", List.of(), List.of(), msg);
    return OciException.of(OciErrorCode.UNAVAILABLE, msg);
  }

  private void record(
      Request r,
      String tag,
      String digest,
      String outcome,
      List<String> failed,
      List<String> signers,
      String message) {
    metrics.decision(r.policy.name(), outcome);
    audit.ifPresent(
        a ->
            a.write(
                new AuditLog.Record(
                    r.client,
                    r.repo(),
                    tag,
                    digest,
                    r.policy.name(),
                    r.policy.mode().name().toLowerCase(java.util.Locale.ROOT),
                    outcome,
                    failed,
                    signers,
                    message,
                    r.requestId)));
  }

  private static List<String> names(List<CheckResult> failures) {
    return failures.stream().map(c -> c.check() + ": " + c.reason()).toList();
  }

  private static OciException denied(String message) {
    return OciException.of(OciErrorCode.DENIED, message);
  }

  /** One request's context. */
  private record Request(
      String client,
      String requestId,
      UpstreamRoute route,
      PolicyHolder.Loaded loaded,
      Policy policy,
      Reference reference) {
    String repo() {
      return route.canonicalName();
    }

    String accept() {
      return UpstreamArtifacts.anyManifest();
    }
  }
}
