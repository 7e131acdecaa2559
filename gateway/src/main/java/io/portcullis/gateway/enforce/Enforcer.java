package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.oci.Digest;
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
import java.util.ArrayList;
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
  private final Grants grants;
  private final Cache<Path, Lockfile> lockfiles =
      Caffeine.newBuilder().maximumSize(100).expireAfterWrite(Duration.ofSeconds(2)).build();

  /** What is served for a manifest request. */
  public record Approved(byte[] bytes, String mediaType, Digest digest) {}

  private record DecisionKey(String revision, String policy, String repository, String digest) {}

  /** How many trust artifacts of trust artifacts are followed to the image they are about. */
  private static final int MAX_ARTIFACT_DEPTH = 3;

  /**
   * An enforcer that counts its decisions by policy and outcome in {@code metrics} and keeps which
   * approved indexes list which platform manifests in {@code indexRelation}.
   */
  public Enforcer(
      Vertx vertx,
      PolicyHolder policies,
      PinStore pins,
      Optional<AuditLog> audit,
      GatewayMetrics metrics,
      Path indexRelation) {
    this.metrics = metrics;
    this.grants =
        new Grants(
            new Approvals(() -> policies.current().policy().revision()),
            new IndexChildren(vertx, indexRelation));
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
   *
   * <p>One rule: a manifest is served only when the policy decided it (audited), when an index
   * approved under the policy in force lists it, or when it is a trust artifact of a subject that
   * is served, fetched as such ({@code sha256-<hex>.sig} and the like by tag, or by digest with a
   * {@code subject}). Trust artifacts never approve the content they list.
   */
  public Future<Approved> manifest(
      String client, String requestId, UpstreamRoute route, Reference reference) {
    Optional<Request> found = request(client, requestId, route, reference);
    if (found.isEmpty()) {
      return Future.succeededFuture(null);
    }
    Request r = found.get();
    if (reference.isDigest()) {
      return byDigest(r, reference.digest().orElseThrow(), 0);
    }
    String tag = reference.tag().orElseThrow().value();
    Optional<Digest> subject = SignatureArtifacts.subjectOfTag(tag);
    if (subject.isPresent()) {
      return artifactByTag(r, tag, subject.get());
    }
    Optional<String> tagDenial = r.policy.tagDenial(tag);
    if (tagDenial.isPresent() && r.policy.mode() == Mode.ENFORCE) {
      record(
          r,
          tag,
          null,
          AuditOutcome.DENIED,
          List.of("tags.allowLatest"),
          List.of(),
          tagDenial.get());
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

  /**
   * Fails with {@code DENIED} unless the referrers of {@code subject} may be listed: under an
   * enforcing policy only those of a subject that is served.
   */
  public Future<Void> referrers(
      String client, String requestId, UpstreamRoute route, Digest subject) {
    Optional<Request> found = request(client, requestId, route, Reference.of(subject));
    if (found.isEmpty() || found.get().policy.mode() != Mode.ENFORCE) {
      return Future.succeededFuture();
    }
    Request r = found.get();
    return servedSubject(r, subject, null, "the referrers of ", 0).mapEmpty();
  }

  /**
   * What a client may have of blob {@code digest}: under an enforcing policy, content of a manifest
   * approved under the revision in force, or the verified bytes of a trust artifact's layer;
   * anything else fails with {@code DENIED}, audited.
   */
  public Future<BlobAccess> blob(
      String client, String requestId, UpstreamRoute route, Digest digest) {
    Optional<Request> found = request(client, requestId, route, Reference.of(digest));
    if (found.isEmpty() || found.get().policy.mode() != Mode.ENFORCE) {
      return Future.succeededFuture(BlobAccess.PROXY);
    }
    Request r = found.get();
    Optional<Approvals.Grant> grant = grants.get(r.revision(), r.repo(), digest);
    if (grant.isPresent() && grant.get() instanceof Approvals.Content) {
      return Future.succeededFuture(BlobAccess.PROXY);
    }
    if (grant.isPresent() && grant.get() instanceof Approvals.Artifact a) {
      return UpstreamArtifacts.blob(route, digest, (int) a.size())
          .compose(
              bytes -> {
                String wrong = SignatureArtifacts.notOfType(a.mediaType(), bytes);
                if (wrong == null && bytes.length == a.size()) {
                  return Future.succeededFuture(new BlobAccess.Verified(bytes, a.mediaType()));
                }
                String msg =
                    "blob "
                        + digest
                        + " of "
                        + r.repo()
                        + " is listed by a trust artifact as "
                        + a.mediaType()
                        + " ("
                        + a.size()
                        + " bytes) but is not one ("
                        + (wrong == null ? bytes.length + " bytes" : wrong)
                        + "); only trust data of an approved image is served as such";
                record(r, null, digest.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
                return Future.failedFuture(denied(msg));
              });
    }
    String msg =
        "blob "
            + digest
            + " is not part of a manifest approved by policy '"
            + r.policy.name()
            + "' in "
            + r.repo()
            + "; pull the image by its tag or manifest digest first";
    record(r, null, digest.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return Future.failedFuture(denied(msg));
  }

  /** The request's context under the policy in force, or empty when no policy applies. */
  private Optional<Request> request(
      String client, String requestId, UpstreamRoute route, Reference reference) {
    PolicyHolder.Loaded loaded = policies.current();
    Optional<Policy> found = loaded.policy().policyFor(route.canonicalName());
    if (found.isEmpty() || found.get().mode() == Mode.OFF) {
      return Optional.empty();
    }
    return Optional.of(new Request(client, requestId, route, loaded, found.get(), reference));
  }

  /**
   * A manifest by digest: content an approved index lists; a trust artifact (it names a {@code
   * subject}) of a subject that is served; otherwise what the policy decides of it as an image,
   * falling back on the approved indexes known to list it. {@code depth} bounds chains of artifacts
   * of artifacts.
   */
  private Future<Approved> byDigest(Request r, Digest digest, int depth) {
    return fetch(r, digest.toString())
        .compose(
            m -> {
              Optional<Approvals.Grant> grant = grants.get(r.revision(), r.repo(), digest);
              if (grant.isPresent() && grant.get() instanceof Approvals.Content c) {
                return servedByIndex(r, m, Digest.parse(c.approvedBy()));
              }
              Optional<Digest> subject = SignatureArtifacts.subjectOf(m.bytes(), m.mediaType());
              if (subject.isPresent() && !subject.get().equals(digest)) {
                return servedSubject(r, subject.get(), null, "the trust artifacts of ", depth)
                    .compose(
                        v -> artifact(r, m, null),
                        // Not an artifact of a served image: judged as an image of its own.
                        refused -> ownDecision(r, m, refused));
              }
              return decide(r, m)
                  .compose(
                      d -> {
                        if (d.satisfied()) {
                          return serve(r, m, null, d);
                        }
                        return viaIndexes(r, m)
                            .compose(
                                approved -> {
                                  if (approved != null) {
                                    return Future.succeededFuture(approved);
                                  }
                                  return d.allowed()
                                      ? serve(r, m, null, d)
                                      : Future.failedFuture(refuse(r, m, null, d, platformHint(m)));
                                });
                      });
            });
  }

  /**
   * {@code m}, served when the policy is satisfied by its own signatures; otherwise {@code
   * refused}, why it was not served as a trust artifact.
   */
  private Future<Approved> ownDecision(Request r, Fetched m, Throwable refused) {
    if (!(refused instanceof OciException e) || e.code() != OciErrorCode.DENIED) {
      return Future.failedFuture(refused);
    }
    return decide(r, m)
        .compose(d -> d.satisfied() ? serve(r, m, null, d) : Future.failedFuture(refused));
  }

  /**
   * A trust artifact by tag ({@code sha256-<hex>.sig}, {@code .att}, {@code .sbom}, or the
   * referrers tag {@code sha256-<hex>}): its subject is decided first (so {@code cosign verify}
   * works through the gateway without a prior pull), and the artifact is served only when the
   * subject is.
   */
  private Future<Approved> artifactByTag(Request r, String tag, Digest subject) {
    return servedSubject(r, subject, tag, "the trust artifacts of ", 0)
        .compose(v -> fetch(r, tag))
        .compose(m -> artifact(r, m, tag));
  }

  /**
   * Succeeds when the manifest {@code subject} is served to this request; otherwise fails with
   * {@code DENIED} saying that {@code what} it are served only with an approved image, and why the
   * image was refused. "Could not verify" stays a 503.
   */
  private Future<Approved> servedSubject(
      Request r, Digest subject, String tag, String what, int depth) {
    if (depth >= MAX_ARTIFACT_DEPTH) {
      return Future.failedFuture(
          denyArtifact(r, tag, subject, what, "trust artifacts nest too deeply"));
    }
    return byDigest(r, subject, depth + 1)
        .recover(
            err -> {
              if (err instanceof OciException e && e.code() == OciErrorCode.DENIED) {
                return Future.failedFuture(denyArtifact(r, tag, subject, what, e.getMessage()));
              }
              if (err instanceof OciException e && e.code() == OciErrorCode.MANIFEST_UNKNOWN) {
                return Future.failedFuture(
                    denyArtifact(r, tag, subject, what, "the registry has no such manifest"));
              }
              return Future.failedFuture(err);
            });
  }

  private OciException denyArtifact(
      Request r, String tag, Digest subject, String what, String why) {
    String msg =
        what
            + r.repo()
            + "@"
            + subject
            + " are served only with an approved image, and that image was refused: "
            + why;
    record(r, tag, subject.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return denied(msg);
  }

  /**
   * Serves trust artifact {@code m} of a served subject; its trust-typed layers may then be fetched
   * as verified bytes, and nothing it lists becomes content.
   */
  private Future<Approved> artifact(Request r, Fetched m, String tag) {
    Optional<String> tooMany = grants.artifact(r.revision(), r.repo(), m);
    if (tooMany.isPresent()) {
      return Future.failedFuture(refuse(r, m, tag, tooMany(r, m, tooMany.get())));
    }
    return Future.succeededFuture(approved(m));
  }

  /** {@code m}, listed by {@code index} that was approved under the policy in force. */
  private Future<Approved> servedByIndex(Request r, Fetched m, Digest index) {
    String msg =
        "listed by index "
            + index
            + " of "
            + r.repo()
            + ", approved by policy '"
            + r.policy.name()
            + "'";
    Optional<String> tooMany = grantContent(r, m);
    if (tooMany.isPresent()) {
      record(
          r, null, m.digest().toString(), AuditOutcome.DENIED, List.of(), List.of(), tooMany.get());
      return Future.failedFuture(denied(tooMany.get()));
    }
    record(
        r, null, m.digest().toString(), AuditOutcome.ALLOWED_BY_INDEX, List.of(), List.of(), msg);
    return Future.succeededFuture(new Approved(m.bytes(), m.mediaType(), m.digest()));
  }

  /**
   * The platform manifest {@code m} approved through an index known to list it, decided again under
   * the policy in force (cached); a null result when none is approved.
   */
  private Future<Approved> viaIndexes(Request r, Fetched m) {
    if (r.policy.mode() != Mode.ENFORCE || MediaTypes.isIndex(m.mediaType())) {
      return Future.succeededFuture(null);
    }
    List<Digest> parents = new ArrayList<>(grants.indexesOf(r.repo(), m.digest()));
    java.util.Collections.reverse(parents);
    Future<Approved> chain = Future.succeededFuture(null);
    for (Digest parent : parents) {
      chain =
          chain.compose(
              done -> done != null ? Future.succeededFuture(done) : viaIndex(r, m, parent));
    }
    return chain;
  }

  private Future<Approved> viaIndex(Request r, Fetched m, Digest parent) {
    return fetch(r, parent.toString())
        .compose(
            index ->
                decide(r, index)
                    .compose(
                        d -> {
                          if (!d.satisfied() || !Grants.lists(index, m.digest())) {
                            return Future.succeededFuture((Approved) null);
                          }
                          Optional<String> tooMany = grantContent(r, index);
                          if (tooMany.isPresent()) {
                            return Future.succeededFuture((Approved) null);
                          }
                          return servedByIndex(r, m, parent);
                        }))
        // An index that is gone or cannot be verified now approves nothing: fail closed.
        .recover(err -> Future.succeededFuture(null));
  }

  /** What a denied platform manifest's message adds: how to get it served. */
  private static String platformHint(Fetched m) {
    if (MediaTypes.isIndex(m.mediaType())) {
      return "";
    }
    return " — if this is one platform of a signed multi-platform image, pull it by the index's tag"
        + " or digest (its platforms are then served by digest), or sign every platform"
        + " (portcullis-signer sign --recursive)";
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
                record(
                    r,
                    tag,
                    null,
                    AuditOutcome.DENIED,
                    List.of("tags.pin: lockfile"),
                    List.of(),
                    msg);
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
                            return serve(r, m, tag, d)
                                .onSuccess(a -> pins.put(r.repo(), tag, m.digest()));
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
                                                        refuse(r, m, tag, d, ""));
                                                  }
                                                  Optional<String> tooMany =
                                                      grantContent(r, previous);
                                                  if (tooMany.isPresent()) {
                                                    return Future.failedFuture(
                                                        refuse(r, previous, tag, tooMany.get()));
                                                  }
                                                  record(
                                                      r,
                                                      tag,
                                                      previous.digest().toString(),
                                                      AuditOutcome.SERVED_LAST_APPROVED,
                                                      names(d.failures()),
                                                      pd.signers(),
                                                      "upstream moved the tag to "
                                                          + m.digest()
                                                          + ", which policy '"
                                                          + r.policy.name()
                                                          + "' does not allow; serving the last approved digest");
                                                  return Future.succeededFuture(approved(previous));
                                                }));
                          }
                          return d.allowed()
                              ? serve(r, m, tag, d)
                              : Future.failedFuture(refuse(r, m, tag, d, ""));
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
                      AuditOutcome.DENIED,
                      List.of("tags.pin: first-seen"),
                      List.of(),
                      msg);
                  return Future.failedFuture(denied(msg));
                }
                record(
                    r,
                    tag,
                    m.digest().toString(),
                    AuditOutcome.AUDIT_WOULD_DENY,
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

  /** What the policy decides of {@code m}, requested by {@code tag}. */
  private Future<Approved> check(Request r, Fetched m, String tag) {
    return decide(r, m)
        .compose(
            d -> d.allowed() ? serve(r, m, tag, d) : Future.failedFuture(refuse(r, m, tag, d, "")));
  }

  /**
   * Serves {@code m} as the policy decided it (audited); a satisfied decision approves what it
   * lists, unless it lists more than {@link Approvals#MAX_LISTED}, which is refused.
   */
  private Future<Approved> serve(Request r, Fetched m, String tag, PolicyDecision d) {
    if (d.satisfied()) {
      Optional<String> tooMany = grantContent(r, m);
      if (tooMany.isPresent()) {
        return Future.failedFuture(refuse(r, m, tag, tooMany.get()));
      }
    }
    AuditOutcome outcome = d.satisfied() ? AuditOutcome.ALLOWED : AuditOutcome.AUDIT_WOULD_DENY;
    record(r, tag, m.digest().toString(), outcome, names(d.failures()), d.signers(), d.message());
    return Future.succeededFuture(approved(m));
  }

  private OciException refuse(Request r, Fetched m, String tag, PolicyDecision d, String hint) {
    String msg = d.message() + hint;
    record(
        r, tag, m.digest().toString(), AuditOutcome.DENIED, names(d.failures()), d.signers(), msg);
    return denied(msg);
  }

  private OciException refuse(Request r, Fetched m, String tag, String msg) {
    record(r, tag, m.digest().toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return denied(msg);
  }

  private static Approved approved(Fetched m) {
    return new Approved(m.bytes(), m.mediaType(), m.digest());
  }

  /**
   * Approves what the approved manifest {@code m} lists, under the revision in force; why not when
   * it lists too much.
   */
  private Optional<String> grantContent(Request r, Fetched m) {
    return grants
        .content(r.revision(), r.repo(), r.policy.mode() == Mode.ENFORCE, m)
        .map(what -> tooMany(r, m, what));
  }

  private static String tooMany(Request r, Fetched m, String what) {
    return "denied by policy '"
        + r.policy.name()
        + "': "
        + r.repo()
        + "@"
        + m.digest()
        + " lists "
        + what
        + ", more than the "
        + Approvals.MAX_LISTED
        + " the gateway approves for one manifest";
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
    record(r, null, digest.toString(), AuditOutcome.UNVERIFIABLE, List.of(), List.of(), msg);
    return OciException.of(OciErrorCode.UNAVAILABLE, msg);
  }

  private void record(
      Request r,
      String tag,
      String digest,
      AuditOutcome outcome,
      List<String> failed,
      List<String> signers,
      String message) {
    metrics.decision(r.policy.name(), outcome.wireName());
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

    String revision() {
      return loaded.policy().revision();
    }

    String accept() {
      return UpstreamArtifacts.anyManifest();
    }
  }
}
