package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.policy.CheckResult;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.core.policy.SignedBy;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy's decisions on manifests and what follows from them: the cached decision per policy
 * revision and digest (one evaluation at a time per key, the cryptography on worker threads),
 * serving or refusing the exact bytes decided on, the approvals a satisfied decision makes, and the
 * audit record and metric of every outcome.
 */
final class Decisions {
  private static final Logger LOG = LoggerFactory.getLogger(Decisions.class);

  private final Vertx vertx;
  private final Optional<AuditLog> audit;
  private final GatewayMetrics metrics;
  private final Grants grants;
  private final EvidenceCollector evidence;
  private final AsyncCache<DecisionKey, PolicyDecision> cache;
  private final AtomicLong lastOutageLog =
      new AtomicLong(System.nanoTime() - OUTAGE_LOG_INTERVAL.toNanos());

  /** How often a refusal for want of the shared state is logged at most. */
  static final Duration OUTAGE_LOG_INTERVAL = Duration.ofSeconds(10);

  /**
   * @param dct the policy has a dct requirement: the decision may rest on DCT metadata, whose
   *     signed targets can be removed
   */
  record DecisionKey(
      String revision, String policy, String repository, String digest, boolean dct) {}

  /** How long a satisfied decision is kept when no DCT metadata can be behind it. */
  static final Duration APPROVAL_LIFETIME = Duration.ofMinutes(10);

  /** How long a refusal is kept: a signature pushed after a denial takes effect soon. */
  static final Duration REFUSAL_LIFETIME = Duration.ofSeconds(15);

  /**
   * The heap the cached decisions may take, as estimated by {@link #weigh}: their messages and
   * reasons quote what signatures claim (certificate subjects, identities), so a count alone would
   * not bound them.
   */
  static final long MAX_WEIGHT = 16L * 1024 * 1024;

  Decisions(
      Vertx vertx, Optional<AuditLog> audit, GatewayMetrics metrics, Grants grants, DctTrust dct) {
    this.vertx = vertx;
    this.evidence = new EvidenceCollector(dct);
    this.audit = audit;
    this.metrics = metrics;
    this.grants = grants;
    this.cache = cache(MAX_WEIGHT, DctTrust.decisionLifetime(dct.refresh())).buildAsync();
  }

  /** {@link #cache(long, Duration)} with DCT decisions kept as long as others. */
  static Caffeine<DecisionKey, PolicyDecision> cache(long maxWeight) {
    return cache(maxWeight, APPROVAL_LIFETIME);
  }

  /**
   * Decisions bounded by {@code maxWeight} as {@link #weigh} estimates it: an approval stands for a
   * while; a refusal is re-checked soon, so a signature pushed after a denial takes effect without
   * a restart. A decision under a policy with a dct requirement lasts at most {@code dctLifetime}:
   * a signed target removed from the Notary server must stop approving within the DCT refresh, not
   * in 10 minutes, and a refusal made from metadata the server since mended or extended must not
   * outlast it either.
   */
  static Caffeine<DecisionKey, PolicyDecision> cache(long maxWeight, Duration dctLifetime) {
    return Caffeine.newBuilder()
        .maximumWeight(maxWeight)
        .<DecisionKey, PolicyDecision>weigher((k, d) -> weigh(k, d))
        .expireAfter(
            new Expiry<DecisionKey, PolicyDecision>() {
              @Override
              public long expireAfterCreate(DecisionKey k, PolicyDecision d, long now) {
                Duration lifetime = d.satisfied() ? APPROVAL_LIFETIME : REFUSAL_LIFETIME;
                return (k.dct() && dctLifetime.compareTo(lifetime) < 0 ? dctLifetime : lifetime)
                    .toNanos();
              }

              @Override
              public long expireAfterUpdate(
                  DecisionKey k, PolicyDecision d, long now, long current) {
                return expireAfterCreate(k, d, now);
              }

              @Override
              public long expireAfterRead(DecisionKey k, PolicyDecision d, long now, long current) {
                return current;
              }
            });
  }

  /**
   * An estimate of an entry's heap, on the safe side: Caffeine's node and the records, and two
   * bytes a character for every string (Latin-1 strings take one).
   */
  static int weigh(DecisionKey k, PolicyDecision d) {
    long chars =
        length(k.repository())
            + length(k.digest())
            + length(d.message())
            + d.signedBy().stream().mapToLong(Decisions::length).sum()
            + d.checks().stream().mapToLong(c -> length(c.check()) + length(c.reason()) + 64).sum();
    return (int) Math.min(Integer.MAX_VALUE, 400 + 2 * chars);
  }

  private static long length(String s) {
    return s == null ? 0 : s.length();
  }

  /** A signer's description and the fields the audit record repeats, each its own string. */
  private static long length(SignedBy s) {
    return length(s.description())
        + s.issuer().map(String::length).orElse(0)
        + s.subject().map(String::length).orElse(0)
        + s.keyId().map(String::length).orElse(0)
        + 64;
  }

  /** What the policy decides of {@code m}, requested by {@code tag}. */
  Future<Enforcer.Approved> check(PolicyRequest r, Fetched m, String tag) {
    return decide(r, m)
        .compose(
            d -> d.allowed() ? serve(r, m, tag, d) : Future.failedFuture(refuse(r, m, tag, d, "")));
  }

  /**
   * Serves {@code m} as the policy decided it (audited); a satisfied decision approves what it
   * lists, unless it lists more than {@link Approvals#MAX_LISTED}, which is refused.
   */
  Future<Enforcer.Approved> serve(PolicyRequest r, Fetched m, String tag, PolicyDecision d) {
    Future<Optional<String>> granted =
        d.satisfied() ? grantContent(r, m) : Future.succeededFuture(Optional.empty());
    return granted.compose(
        tooMany -> {
          if (tooMany.isPresent()) {
            return Future.failedFuture(refuse(r, m, tag, tooMany.get()));
          }
          AuditOutcome outcome =
              d.satisfied() ? AuditOutcome.ALLOWED : AuditOutcome.AUDIT_WOULD_DENY;
          record(
              r,
              tag,
              m.digest().toString(),
              outcome,
              names(d.failures()),
              d.signedBy(),
              d.message());
          return Future.succeededFuture(approved(m));
        });
  }

  OciException refuse(PolicyRequest r, Fetched m, String tag, PolicyDecision d, String hint) {
    String msg = d.message() + hint;
    record(
        r, tag, m.digest().toString(), AuditOutcome.DENIED, names(d.failures()), d.signedBy(), msg);
    return denied(msg);
  }

  OciException refuse(PolicyRequest r, Fetched m, String tag, String msg) {
    record(r, tag, m.digest().toString(), AuditOutcome.DENIED, List.of(), List.of(), msg);
    return denied(msg);
  }

  static Enforcer.Approved approved(Fetched m) {
    return new Enforcer.Approved(m.bytes(), m.mediaType(), m.digest());
  }

  /**
   * Approves what the approved manifest {@code m} lists, under the revision in force; why not when
   * it lists too much. Fails with {@code UNAVAILABLE} when the approvals could not be shared with
   * the other replicas: they would refuse the blobs a client is sent to them for.
   */
  Future<Optional<String>> grantContent(PolicyRequest r, Fetched m) {
    return grants
        .content(r.revision(), r.repo(), r.policy().mode() == Mode.ENFORCE, m)
        .map(what -> what.map(w -> tooMany(r, m, w)))
        .recover(err -> Future.failedFuture(notShared(r, m, err)));
  }

  /** {@code m} was approved, but what it lets through could not be written to the shared state. */
  OciException notShared(PolicyRequest r, Fetched m, Throwable err) {
    return sharedStateDown(
        r,
        null,
        m.digest().toString(),
        r.repo()
            + "@"
            + m.digest()
            + " is approved by policy '"
            + r.policy().name()
            + "', but the approval cannot be shared with the other replicas of this gateway",
        err);
  }

  /**
   * The 503 (audited as unverifiable) of a request that needs the shared state while it is
   * unavailable: never an allow, and never a denial the policy did not make. The client is told
   * which state, not where it lives; the log has the details.
   */
  OciException sharedStateDown(
      PolicyRequest r, String tag, String digest, String what, Throwable err) {
    String msg =
        what
            + ", and the gateway's shared state (PostgreSQL) is unavailable; refusing until it is"
            + " back, try again shortly";
    // once per interval, however many requests an outage refuses
    long now = System.nanoTime();
    long last = lastOutageLog.get();
    if (now - last > OUTAGE_LOG_INTERVAL.toNanos() && lastOutageLog.compareAndSet(last, now)) {
      LOG.warn("{}: {}", msg, err.getMessage());
    }
    record(r, tag, digest, AuditOutcome.UNVERIFIABLE, List.of(), List.of(), msg);
    return OciException.of(OciErrorCode.UNAVAILABLE, msg);
  }

  static String tooMany(PolicyRequest r, Fetched m, String what) {
    return "denied by policy '"
        + r.policy().name()
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
  Future<PolicyDecision> decide(PolicyRequest r, Fetched m) {
    Digest digest = m.digest();
    DecisionKey key =
        new DecisionKey(
            r.loaded().policy().revision(),
            r.policy().name(),
            r.repo(),
            digest.toString(),
            !DctTrust.requirements(r.policy()).isEmpty());
    var context = vertx.getOrCreateContext();
    CompletableFuture<PolicyDecision> decided =
        cache.get(
            key,
            (k, executor) ->
                evidence
                    .collect(r.route(), m, r.policy(), r.loaded().policy())
                    .compose(
                        ev ->
                            vertx.executeBlocking(
                                () -> r.loaded().evaluator().evaluate(r.policy(), ev), false))
                    .toCompletionStage()
                    .toCompletableFuture());
    return Future.fromCompletionStage(decided, context)
        .recover(
            err -> {
              // "Could not verify" is no verdict. Caffeine drops a failed entry by itself, but
              // from the thread that failed it and after this listener (a CompletableFuture runs
              // its later dependents first): a retry on another event loop in between found the
              // failure still cached and got 503 again, with the upstream healthy.
              cache.asMap().remove(key, decided);
              return Future.failedFuture(unverifiable(r, digest, err));
            });
  }

  Future<Fetched> fetch(PolicyRequest r, String reference) {
    return r.route()
        .artifacts()
        .manifest(r.route(), reference, r.accept())
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

  private OciException unverifiable(PolicyRequest r, Digest digest, Throwable err) {
    String reason = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    String msg =
        "could not verify "
            + r.repo()
            + "@"
            + digest
            + " against policy '"
            + r.policy().name()
            + "' ("
            + reason
            + "); refusing until it can be verified";
    record(r, null, digest.toString(), AuditOutcome.UNVERIFIABLE, List.of(), List.of(), msg);
    return OciException.of(OciErrorCode.UNAVAILABLE, msg);
  }

  void record(
      PolicyRequest r,
      String tag,
      String digest,
      AuditOutcome outcome,
      List<String> failed,
      List<SignedBy> signers,
      String message) {
    metrics.decision(r.policy().name(), outcome.wireName());
    audit.ifPresent(
        a ->
            a.write(
                new AuditLog.Record(
                    r.client(),
                    r.repo(),
                    tag,
                    digest,
                    r.policy().name(),
                    r.policy().mode().name().toLowerCase(java.util.Locale.ROOT),
                    outcome,
                    failed,
                    signers,
                    message,
                    r.requestId())));
  }

  static List<String> names(List<CheckResult> failures) {
    return failures.stream().map(c -> c.check() + ": " + c.reason()).toList();
  }

  static OciException denied(String message) {
    return OciException.of(OciErrorCode.DENIED, message);
  }
}
