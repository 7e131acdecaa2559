package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for every manifest, referrers and blob request under a trust policy, what a client gets:
 * the exact bytes that were verified (never a second fetch between verify and serve), resolved from
 * a tag through the policy's pin mode; a trust artifact only with the image it is about; a platform
 * manifest through its own signature or an approved index; or a {@code DENIED} error that says
 * which policy and which checks failed. The decisions themselves, their cache and their audit
 * records are {@link Decisions}'; what approved manifests let through is {@link Grants}'; what a
 * tag means under the policy's {@code tags} section (its pin mode) is {@link TagRules}'.
 */
public final class Enforcer {
  private final PolicyHolder policies;
  private final Decisions decisions;
  private final Grants grants;
  private final TagRules tags;
  private final Optional<FleetApprovals> fleet;

  /** What is served for a manifest request. */
  public record Approved(byte[] bytes, String mediaType, Digest digest) {}

  /** How many trust artifacts of trust artifacts are followed to the image they are about. */
  private static final int MAX_ARTIFACT_DEPTH = 3;

  /**
   * An enforcer that counts its decisions by policy and outcome in {@code metrics} and keeps which
   * approved indexes list which platform manifests, and the Docker Content Trust records, under
   * {@code dataDir}.
   */
  public Enforcer(
      Vertx vertx,
      PolicyHolder policies,
      PinStore pins,
      Optional<AuditLog> audit,
      GatewayMetrics metrics,
      Path dataDir) {
    this(
        vertx,
        policies,
        new LocalPins(pins),
        Optional.empty(),
        Optional.empty(),
        audit,
        metrics,
        dataDir);
  }

  /**
   * An enforcer of one replica among several: its pins are those of {@code fleet}, and its
   * approvals are shared with every replica through it, as are the Docker Content Trust roots it
   * trusts on first use through {@code dctRoots} (see docs/state.md).
   */
  public Enforcer(
      Vertx vertx,
      PolicyHolder policies,
      FleetState fleet,
      FleetDctRoots dctRoots,
      Optional<AuditLog> audit,
      GatewayMetrics metrics,
      Path dataDir) {
    this(
        vertx,
        policies,
        new SharedPins(fleet),
        Optional.of(new FleetApprovals(fleet, vertx).start()),
        Optional.of(dctRoots),
        audit,
        metrics,
        dataDir);
  }

  private Enforcer(
      Vertx vertx,
      PolicyHolder policies,
      Pins pins,
      Optional<FleetApprovals> fleet,
      Optional<FleetDctRoots> dctRoots,
      Optional<AuditLog> audit,
      GatewayMetrics metrics,
      Path dataDir) {
    this.grants =
        new Grants(
            new Approvals(() -> policies.current().policy().revision()),
            new IndexChildren(vertx, dataDir.resolve("index-children.json")),
            fleet);
    this.policies = policies;
    this.fleet = fleet;
    DctTrust dct =
        new DctTrust(
            vertx, dataDir.resolve("dct"), java.time.Clock.systemUTC(), DctTrust.REFRESH, dctRoots);
    this.decisions = new Decisions(vertx, audit, metrics, grants, dct);
    this.tags = new TagRules(vertx, pins, decisions, dct);
  }

  /** Stops the periodic work of shared approvals, if any. */
  public void close() {
    fleet.ifPresent(FleetApprovals::close);
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
    Optional<PolicyRequest> found = request(client, requestId, route, reference);
    if (found.isEmpty()) {
      return Future.succeededFuture(null);
    }
    PolicyRequest r = found.get();
    if (reference.isDigest()) {
      return byDigest(r, reference.digest().orElseThrow(), 0);
    }
    String tag = reference.tag().orElseThrow().value();
    Optional<Digest> subject = SignatureArtifacts.subjectOfTag(tag);
    if (subject.isPresent()) {
      return artifactByTag(r, tag, subject.get());
    }
    return tags.resolve(r, tag);
  }

  /**
   * Fails with {@code DENIED} unless the referrers of {@code subject} may be listed: under an
   * enforcing policy only those of a subject that is served.
   */
  public Future<Void> referrers(
      String client, String requestId, UpstreamRoute route, Digest subject) {
    Optional<PolicyRequest> found = request(client, requestId, route, Reference.of(subject));
    if (found.isEmpty() || found.get().policy().mode() != Mode.ENFORCE) {
      return Future.succeededFuture();
    }
    PolicyRequest r = found.get();
    return servedSubject(r, subject, null, "the referrers of ", 0).mapEmpty();
  }

  /**
   * What a client may have of blob {@code digest}: under an enforcing policy, content of a manifest
   * approved under the revision in force, or the verified bytes of a trust artifact's layer;
   * anything else fails with {@code DENIED}, audited.
   */
  public Future<BlobAccess> blob(
      String client, String requestId, UpstreamRoute route, Digest digest) {
    Optional<PolicyRequest> found = request(client, requestId, route, Reference.of(digest));
    if (found.isEmpty() || found.get().policy().mode() != Mode.ENFORCE) {
      return Future.succeededFuture(BlobAccess.PROXY);
    }
    PolicyRequest r = found.get();
    Optional<Approvals.Grant> known = grants.get(r.revision(), r.repo(), digest);
    if (known.isPresent() || !grants.shared()) {
      return blob(r, digest, known); // the hot path: no shared state involved
    }
    return grants
        .find(r.revision(), r.repo(), digest)
        .recover(
            err ->
                Future.failedFuture(
                    decisions.sharedStateDown(
                        r,
                        null,
                        digest.toString(),
                        "blob "
                            + digest
                            + " of "
                            + r.repo()
                            + " is not approved as far as this replica knows",
                        err)))
        .compose(grant -> blob(r, digest, grant));
  }

  private Future<BlobAccess> blob(PolicyRequest r, Digest digest, Optional<Approvals.Grant> grant) {
    if (grant.isPresent() && grant.get() instanceof Approvals.Content) {
      return Future.succeededFuture(BlobAccess.PROXY);
    }
    if (grant.isPresent() && grant.get() instanceof Approvals.Artifact a) {
      return artifactLayer(r, digest, a);
    }
    String msg =
        "blob "
            + digest
            + " is not part of a manifest approved by policy '"
            + r.policy().name()
            + "' in "
            + r.repo()
            + "; pull the image by its tag or manifest digest first";
    decisions.record(r, null, digest.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return Future.failedFuture(Decisions.denied(msg));
  }

  /**
   * A trust artifact's layer, served from its bytes when they are within the declared size and
   * parse as the declared type; anything else (more bytes than declared too) is {@code DENIED},
   * audited.
   */
  private Future<BlobAccess> artifactLayer(PolicyRequest r, Digest digest, Approvals.Artifact a) {
    return r.route()
        .artifacts()
        .blob(r.route(), digest, (int) a.size())
        .recover(
            err ->
                err instanceof OciException e && e.code() == OciErrorCode.SIZE_INVALID
                    ? Future.succeededFuture(null)
                    : Future.failedFuture(err))
        .compose(
            bytes -> {
              String wrong =
                  bytes == null
                      ? "more than " + a.size() + " bytes"
                      : bytes.length != a.size()
                          ? bytes.length + " bytes"
                          : SignatureArtifacts.notOfType(a.mediaType(), bytes);
              if (wrong == null) {
                return Future.succeededFuture(new BlobAccess.Verified(bytes));
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
                      + wrong
                      + "); only trust data of an approved image is served as such";
              decisions.record(
                  r, null, digest.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
              return Future.failedFuture(Decisions.denied(msg));
            });
  }

  /** The request's context under the policy in force, or empty when no policy applies. */
  private Optional<PolicyRequest> request(
      String client, String requestId, UpstreamRoute route, Reference reference) {
    PolicyHolder.Loaded loaded = policies.current();
    Optional<Policy> found = loaded.policy().policyFor(route.canonicalName());
    if (found.isEmpty() || found.get().mode() == Mode.OFF) {
      return Optional.empty();
    }
    return Optional.of(new PolicyRequest(client, requestId, route, loaded, found.get(), reference));
  }

  /**
   * A manifest by digest: content an approved index lists; a trust artifact (it names a {@code
   * subject}) of a subject that is served; otherwise what the policy decides of it as an image,
   * falling back on the approved indexes known to list it. {@code depth} bounds chains of artifacts
   * of artifacts.
   */
  private Future<Approved> byDigest(PolicyRequest r, Digest digest, int depth) {
    return decisions
        .fetch(r, digest.toString())
        .compose(
            m -> {
              Optional<Approvals.Grant> grant = grants.get(r.revision(), r.repo(), digest);
              if (grant.isPresent() && grant.get() instanceof Approvals.Platform p) {
                return servedByIndex(r, m, Digest.parse(p.index()));
              }
              Optional<Digest> subject = SignatureArtifacts.subjectOf(m.bytes(), m.mediaType());
              if (subject.isPresent() && !subject.get().equals(digest)) {
                return servedSubject(r, subject.get(), null, "the trust artifacts of ", depth)
                    .compose(
                        v -> artifact(r, m, null, subject.get()),
                        // Not an artifact of a served image: judged as an image of its own.
                        refused -> ownDecision(r, m, refused));
              }
              return decisions
                  .decide(r, m)
                  .compose(
                      d -> {
                        if (d.satisfied()) {
                          return decisions.serve(r, m, null, d);
                        }
                        return notSatisfied(r, m, d);
                      });
            });
  }

  /**
   * A manifest by digest that its own signatures do not satisfy: served when an index approved on
   * another replica lists it (shared state) or an approved index known here lists it; otherwise
   * refused, or 503 when the shared state that might approve it is unavailable.
   */
  private Future<Approved> notSatisfied(PolicyRequest r, Fetched m, PolicyDecision d) {
    Future<Optional<Approvals.Grant>> shared =
        grants.shared() && !d.allowed()
            ? grants.find(r.revision(), r.repo(), m.digest())
            : Future.succeededFuture(Optional.empty());
    return shared.transform(
        found -> {
          if (found.succeeded() && found.result().orElse(null) instanceof Approvals.Platform p) {
            return servedByIndex(r, m, Digest.parse(p.index()));
          }
          return viaIndexes(r, m)
              .compose(
                  approved -> {
                    if (approved != null) {
                      return Future.succeededFuture(approved);
                    }
                    if (d.allowed()) {
                      return decisions.serve(r, m, null, d);
                    }
                    if (found.failed()) {
                      return Future.failedFuture(
                          decisions.sharedStateDown(
                              r,
                              null,
                              m.digest().toString(),
                              r.repo()
                                  + "@"
                                  + m.digest()
                                  + " is not approved by its own signatures, and an index approved"
                                  + " on another replica may list it",
                              found.cause()));
                    }
                    return Future.failedFuture(decisions.refuse(r, m, null, d, platformHint(m)));
                  });
        });
  }

  /**
   * {@code m}, served when the policy is satisfied by its own signatures; otherwise {@code
   * refused}, why it was not served as a trust artifact.
   */
  private Future<Approved> ownDecision(PolicyRequest r, Fetched m, Throwable refused) {
    if (!(refused instanceof OciException e) || e.code() != OciErrorCode.DENIED) {
      return Future.failedFuture(refused);
    }
    return decisions
        .decide(r, m)
        .compose(
            d -> d.satisfied() ? decisions.serve(r, m, null, d) : Future.failedFuture(refused));
  }

  /**
   * A trust artifact by tag ({@code sha256-<hex>.sig}, {@code .att}, {@code .sbom}, or the
   * referrers tag {@code sha256-<hex>}): its subject is decided first (so {@code cosign verify}
   * works through the gateway without a prior pull), and the artifact is served only when the
   * subject is.
   */
  private Future<Approved> artifactByTag(PolicyRequest r, String tag, Digest subject) {
    return servedSubject(r, subject, tag, "the trust artifacts of ", 0)
        .compose(v -> decisions.fetch(r, tag))
        .compose(m -> artifact(r, m, tag, subject));
  }

  /**
   * Succeeds when the manifest {@code subject} is served to this request; otherwise fails with
   * {@code DENIED} saying that {@code what} it are served only with an approved image, and why the
   * image was refused. "Could not verify" stays a 503.
   */
  private Future<Approved> servedSubject(
      PolicyRequest r, Digest subject, String tag, String what, int depth) {
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
      PolicyRequest r, String tag, Digest subject, String what, String why) {
    String msg =
        what
            + r.repo()
            + "@"
            + subject
            + " are served only with an approved image, and that image was refused: "
            + why;
    decisions.record(r, tag, subject.toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return Decisions.denied(msg);
  }

  /**
   * Serves trust artifact {@code m} of the served {@code subject}, audited as such; its trust-typed
   * layers may then be fetched as verified bytes, and nothing it lists becomes content.
   */
  private Future<Approved> artifact(PolicyRequest r, Fetched m, String tag, Digest subject) {
    return grants
        .artifact(r.revision(), r.repo(), r.policy().mode() == Mode.ENFORCE, m)
        .recover(err -> Future.failedFuture(decisions.notShared(r, m, err)))
        .compose(
            tooMany ->
                tooMany.isPresent()
                    ? Future.failedFuture(
                        decisions.refuse(r, m, tag, Decisions.tooMany(r, m, tooMany.get())))
                    : servedAsArtifact(r, m, tag, subject));
  }

  private Future<Approved> servedAsArtifact(
      PolicyRequest r, Fetched m, String tag, Digest subject) {
    decisions.record(
        r,
        tag,
        m.digest().toString(),
        AuditOutcome.ALLOWED_AS_ARTIFACT,
        List.of(),
        List.of(),
        "trust artifact of "
            + r.repo()
            + "@"
            + subject
            + ", served with that image; it approves nothing it lists");
    return Future.succeededFuture(Decisions.approved(m));
  }

  /** {@code m}, listed by {@code index} that was approved under the policy in force. */
  private Future<Approved> servedByIndex(PolicyRequest r, Fetched m, Digest index) {
    String msg =
        "listed by index "
            + index
            + " of "
            + r.repo()
            + ", approved by policy '"
            + r.policy().name()
            + "'";
    return decisions
        .grantContent(r, m)
        .compose(
            tooMany -> {
              if (tooMany.isPresent()) {
                decisions.record(
                    r,
                    null,
                    m.digest().toString(),
                    AuditOutcome.DENIED,
                    List.of(),
                    List.of(),
                    tooMany.get());
                return Future.failedFuture(Decisions.denied(tooMany.get()));
              }
              decisions.record(
                  r,
                  null,
                  m.digest().toString(),
                  AuditOutcome.ALLOWED_BY_INDEX,
                  List.of(),
                  List.of(),
                  msg);
              return Future.succeededFuture(new Approved(m.bytes(), m.mediaType(), m.digest()));
            });
  }

  /**
   * The platform manifest {@code m} approved through an index known to list it, decided again under
   * the policy in force (cached); a null result when none is approved.
   */
  private Future<Approved> viaIndexes(PolicyRequest r, Fetched m) {
    if (r.policy().mode() != Mode.ENFORCE || MediaTypes.isIndex(m.mediaType())) {
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

  private Future<Approved> viaIndex(PolicyRequest r, Fetched m, Digest parent) {
    return decisions
        .fetch(r, parent.toString())
        .compose(
            index ->
                decisions
                    .decide(r, index)
                    .map(d -> d.satisfied() && Grants.lists(index, m.digest()) ? index : null))
        // An index that is gone or cannot be verified now approves nothing: fail closed.
        .recover(err -> Future.succeededFuture(null))
        // An approval that cannot be shared is a 503 (Decisions.notShared), not a refusal.
        .compose(
            index ->
                index == null
                    ? Future.succeededFuture(null)
                    : decisions
                        .grantContent(r, index)
                        .compose(
                            tooMany ->
                                tooMany.isPresent()
                                    ? Future.succeededFuture(null)
                                    : servedByIndex(r, m, parent)));
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
}
