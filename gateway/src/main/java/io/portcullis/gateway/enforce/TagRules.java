package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.pin.Lockfile;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.core.policy.SignatureRule;
import io.portcullis.core.policy.SignatureType;
import io.portcullis.gateway.enforce.Enforcer.Approved;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a tag means under the {@code tags} section of the policy that applies: {@code allowLatest},
 * then the pin mode ({@code none}, {@code lockfile}, {@code signed}, {@code first-seen}) that says
 * which digest is decided and served; under a {@code dct} requirement, the digest the tag's Docker
 * Content Trust signature names. Pins are kept in {@link Pins} (this gateway's file, or the state
 * shared by every replica).
 */
final class TagRules {
  private final Vertx vertx;
  private final Pins pins;
  private final Decisions decisions;
  private final Cache<Path, Lockfile> lockfiles =
      Caffeine.newBuilder().maximumSize(100).expireAfterWrite(Duration.ofSeconds(2)).build();

  private final DctTrust dct;

  TagRules(Vertx vertx, Pins pins, Decisions decisions, DctTrust dct) {
    this.vertx = vertx;
    this.pins = pins;
    this.decisions = decisions;
    this.dct = dct;
  }

  /** The manifest served for {@code tag}, or a refusal, under the policy of {@code r}. */
  Future<Approved> resolve(PolicyRequest r, String tag) {
    Optional<String> tagDenial = r.policy().tagDenial(tag);
    if (tagDenial.isPresent()) {
      // Under audit the tag is served, but the record says enforce would refuse it.
      Optional<OciException> refused =
          tagRule(
              r,
              tag,
              null,
              "tags.allowLatest",
              tagDenial.get(),
              "denied by policy '" + r.policy().name() + "': " + tagDenial.get());
      if (refused.isPresent()) {
        return Future.failedFuture(refused.get());
      }
    }
    if (!DctTrust.requirements(r.policy()).isEmpty()) {
      return dct(r, tag);
    }
    return pinned(r, tag);
  }

  /** The digest the tag's pin mode says. */
  private Future<Approved> pinned(PolicyRequest r, String tag) {
    return switch (r.policy().tags().pin()) {
      case NONE -> decisions.fetch(r, tag).compose(m -> decisions.check(r, m, tag));
      case LOCKFILE -> lockfile(r, tag);
      case SIGNED -> signed(r, tag);
      case FIRST_SEEN -> firstSeen(r, tag);
    };
  }

  /**
   * Docker Content Trust: a tag signed in a {@code dct} requirement's roles is answered with the
   * digest its signed target names (length and digest checked against the bytes), whatever the
   * upstream tag says now, and decided as that digest. A tag signed in none is refused, unless the
   * policy can be met without its dct requirements ({@code anyOf [dct, cosign]}): then the upstream
   * tag is decided as usual, through the pin mode.
   */
  private Future<Approved> dct(PolicyRequest r, String tag) {
    return dct.resolve(r.route(), r.loaded().policy(), r.policy(), tag)
        .recover(err -> Future.failedFuture(unverifiableTag(r, tag, err)))
        .compose(
            target -> {
              if (target.signed().isPresent()) {
                SignedTag signed = target.signed().get();
                return decisions
                    .fetch(r, signed.digest().toString())
                    .compose(m -> signedTarget(r, tag, signed, m));
              }
              if (withoutDct(r.policy())) {
                return pinned(r, tag);
              }
              String msg = unsignedTag(r, tag, target.problems());
              Optional<OciException> refused = tagRule(r, tag, null, "signatures: dct", msg, msg);
              // under audit the upstream tag is served, recorded as what enforce would refuse
              return refused.isPresent() ? Future.failedFuture(refused.get()) : pinned(r, tag);
            });
  }

  /** Why a tag signed in none of the policy's dct requirements is refused. */
  private static String unsignedTag(PolicyRequest r, String tag, List<String> problems) {
    return deniedTag(r, tag)
        + " has no DCT signature in "
        + String.join(
            "; ",
            DctTrust.requirements(r.policy()).stream()
                .map(q -> String.join(" or ", q.roles()) + " of '" + q.trustStore() + "'")
                .toList())
        + " ("
        + String.join("; ", problems)
        + "); sign it with docker trust sign";
  }

  /** The signed target's manifest {@code m}: exactly the length signed, then decided as usual. */
  private Future<Approved> signedTarget(PolicyRequest r, String tag, SignedTag signed, Fetched m) {
    if (m.bytes().length != signed.length() || !Digest.sha256(m.bytes()).equals(signed.digest())) {
      return Future.failedFuture(
          decisions.refuse(
              r,
              m,
              tag,
              deniedTag(r, tag)
                  + " is signed in "
                  + signed.role()
                  + " as "
                  + signed.digest()
                  + " of "
                  + signed.length()
                  + " bytes, but the registry's manifest has "
                  + m.bytes().length
                  + " bytes and digest "
                  + Digest.sha256(m.bytes())));
    }
    return decisions.check(r, m, tag);
  }

  /** Whether the policy's signature rule can be met by its requirements other than dct. */
  private static boolean withoutDct(Policy policy) {
    SignatureRule rule = policy.signatures().orElseThrow();
    long others = rule.requirements().stream().filter(q -> q.type() != SignatureType.DCT).count();
    return others >= rule.required();
  }

  /** A tag whose DCT trust data could not be fetched: 503, audited, never an allow. */
  private OciException unverifiableTag(PolicyRequest r, String tag, Throwable err) {
    OciException e =
        err instanceof OciException oci
            ? oci
            : OciException.of(
                OciErrorCode.UNAVAILABLE, "could not verify tag " + tag + ": " + err.getMessage());
    decisions.record(r, tag, null, AuditOutcome.UNVERIFIABLE, List.of(), List.of(), e.getMessage());
    return e;
  }

  private Future<Approved> lockfile(PolicyRequest r, String tag) {
    Path file = r.policy().tags().lockfile().orElseThrow();
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
                            + r.policy().name()
                            + "' is unreadable: "
                            + err.getMessage())))
        .compose(
            pinned -> {
              if (pinned.isEmpty()) {
                String msg =
                    deniedTag(r, tag)
                        + " is not in lockfile "
                        + file.getFileName()
                        + "; pin it with 'portcullis-signer pin'";
                Optional<OciException> refused =
                    tagRule(r, tag, null, "tags.pin: lockfile", msg, msg);
                if (refused.isPresent()) {
                  return Future.failedFuture(refused.get());
                }
                // Audit serves what the tag means upstream, decided as usual.
                return decisions.fetch(r, tag).compose(m -> decisions.check(r, m, tag));
              }
              return decisions
                  .fetch(r, pinned.get().toString())
                  .compose(m -> decisions.check(r, m, tag));
            });
  }

  /**
   * The newest digest that satisfies the policy; when the tag moves to one that does not, the last
   * approved one.
   */
  private Future<Approved> signed(PolicyRequest r, String tag) {
    // when the manifest was read from the upstream: with shared pins, the newest read wins
    Instant seenAt = Instant.now();
    return decisions
        .fetch(r, tag)
        .compose(
            m ->
                decisions
                    .decide(r, m)
                    .compose(
                        d -> {
                          if (d.satisfied()) {
                            // the pin is recorded before the answer, so a replica asked next
                            // falls back on this digest; a pin not recorded still serves
                            return decisions
                                .serve(r, m, tag, d)
                                .compose(
                                    a ->
                                        pins.approved(
                                                upstream(r), r.repo(), tag, m.digest(), seenAt)
                                            .map(a));
                          }
                          if (r.policy().mode() != Mode.ENFORCE) {
                            return d.allowed()
                                ? decisions.serve(r, m, tag, d)
                                : Future.failedFuture(decisions.refuse(r, m, tag, d, ""));
                          }
                          return pins.get(upstream(r), r.repo(), tag)
                              .recover(
                                  err ->
                                      Future.failedFuture(
                                          decisions.sharedStateDown(
                                              r,
                                              tag,
                                              m.digest().toString(),
                                              deniedTag(r, tag)
                                                  + " moved to "
                                                  + m.digest()
                                                  + ", which the policy does not allow; the last"
                                                  + " approved digest is not known to this replica",
                                              err)))
                              .compose(
                                  last ->
                                      last.isPresent() && !last.get().equals(m.digest())
                                          ? lastApproved(r, tag, m, d, last.get())
                                          : Future.failedFuture(
                                              decisions.refuse(r, m, tag, d, "")));
                        }));
  }

  /**
   * The tag's last approved digest {@code last}, served in place of {@code m} (refused with {@code
   * d}) when the policy in force still approves it.
   */
  private Future<Approved> lastApproved(
      PolicyRequest r, String tag, Fetched m, PolicyDecision d, Digest last) {
    return decisions
        .fetch(r, last.toString())
        .compose(
            previous ->
                decisions
                    .decide(r, previous)
                    .compose(
                        pd -> {
                          if (!pd.satisfied()) {
                            return Future.failedFuture(decisions.refuse(r, m, tag, d, ""));
                          }
                          return decisions
                              .grantContent(r, previous)
                              .compose(
                                  tooMany -> {
                                    if (tooMany.isPresent()) {
                                      return Future.failedFuture(
                                          decisions.refuse(r, previous, tag, tooMany.get()));
                                    }
                                    decisions.record(
                                        r,
                                        tag,
                                        previous.digest().toString(),
                                        AuditOutcome.SERVED_LAST_APPROVED,
                                        Decisions.names(d.failures()),
                                        pd.signedBy(),
                                        "upstream moved the tag to "
                                            + m.digest()
                                            + ", which policy '"
                                            + r.policy().name()
                                            + "' does not allow; serving the last approved digest");
                                    return Future.succeededFuture(Decisions.approved(previous));
                                  });
                        }));
  }

  /**
   * Trust on first use: the first digest seen for a tag is kept; a later upstream change is
   * refused. With shared pins, a tag whose pin cannot be read or taken (the database is down) is
   * refused with 503 under {@code enforce}: a pin is never taken by one replica alone.
   */
  private Future<Approved> firstSeen(PolicyRequest r, String tag) {
    boolean enforce = r.policy().mode() == Mode.ENFORCE;
    return decisions
        .fetch(r, tag)
        .compose(
            m ->
                pins.get(upstream(r), r.repo(), tag)
                    .recover(
                        err ->
                            enforce
                                ? Future.failedFuture(noPin(r, tag, m.digest(), err))
                                // audit serves what the tag means upstream, as without a pin
                                : Future.succeededFuture(Optional.empty()))
                    .compose(first -> firstSeen(r, tag, m, first)));
  }

  private Future<Approved> firstSeen(
      PolicyRequest r, String tag, Fetched m, Optional<Digest> first) {
    boolean enforce = r.policy().mode() == Mode.ENFORCE;
    if (first.isPresent() && !first.get().equals(m.digest())) {
      Optional<OciException> refused = firstSeenChanged(r, tag, first.get(), m.digest());
      if (refused.isPresent()) {
        return Future.failedFuture(refused.get());
      }
    }
    if (first.isEmpty() && !pins.hasRoom() && enforce) {
      // Without a record of the first digest, first-seen could not refuse a later
      // change: refuse now rather than serve unpinned.
      return Future.failedFuture(pinStoreFull(r, tag, m.digest()));
    }
    return decisions
        .check(r, m, tag)
        .compose(
            a -> {
              if (first.isPresent()) {
                return Future.succeededFuture(a);
              }
              // The store may have filled while the image was being decided, and a first
              // request on another event loop (or replica) may have pinned another digest.
              return pins.pinFirst(upstream(r), r.repo(), tag, a.digest())
                  .recover(
                      err ->
                          enforce
                              ? Future.failedFuture(noPin(r, tag, a.digest(), err))
                              : Future.succeededFuture(Optional.of(a.digest())))
                  .compose(pinned -> pinned(r, tag, a, pinned));
            });
  }

  /** {@code a}, to be served for a tag whose first-seen pin is now {@code pinned} (empty: full). */
  private Future<Approved> pinned(
      PolicyRequest r, String tag, Approved a, Optional<Digest> pinned) {
    if (pinned.isEmpty()) {
      return r.policy().mode() == Mode.ENFORCE
          ? Future.failedFuture(pinStoreFull(r, tag, a.digest()))
          : Future.succeededFuture(a);
    }
    if (!pinned.get().equals(a.digest())) {
      Optional<OciException> refused = firstSeenChanged(r, tag, pinned.get(), a.digest());
      if (refused.isPresent()) {
        return Future.failedFuture(refused.get());
      }
    }
    return Future.succeededFuture(a);
  }

  /** A first-seen tag whose pin cannot be read or taken: the shared state is unavailable. */
  private OciException noPin(PolicyRequest r, String tag, Digest digest, Throwable err) {
    return decisions.sharedStateDown(
        r,
        tag,
        digest.toString(),
        deniedTag(r, tag)
            + " has no first-seen pin known to this replica (tags.pin: first-seen); a pin is taken"
            + " only in the shared state, so that every replica agrees on it",
        err);
  }

  /** The start of every refusal of a tag: the policy, the tag and the repository. */
  private static String deniedTag(PolicyRequest r, String tag) {
    return "denied by policy '" + r.policy().name() + "': tag " + tag + " of " + r.repo();
  }

  /** A first-seen tag whose upstream digest is not the one pinned: refused (enforce). */
  private Optional<OciException> firstSeenChanged(
      PolicyRequest r, String tag, Digest first, Digest now) {
    String msg =
        deniedTag(r, tag)
            + " was first seen as "
            + first
            + " but upstream now has "
            + now
            + "; first-seen pinning refuses changes until approved (remove the pin from "
            + pins.where()
            + ")";
    return tagRule(r, tag, now.toString(), "tags.pin: first-seen", msg, msg);
  }

  /** Refuses (enforce) a first-seen tag that cannot be pinned because the pin store is full. */
  private OciException pinStoreFull(PolicyRequest r, String tag, Digest digest) {
    String full =
        deniedTag(r, tag)
            + " cannot be pinned: the gateway's pin store is full ("
            + pins.capacity()
            + " tags); remove unused entries from "
            + pins.where()
            + ", or use pin: signed or lockfile";
    return tagRule(r, tag, digest.toString(), "tags.pin: first-seen", full, full).orElseThrow();
  }

  /**
   * Records a refusal by a tag rule ({@code check}): under {@code enforce} it is denied, and the
   * error to fail with is returned; under audit it is recorded as what enforce would deny, and the
   * request goes on (empty).
   */
  private Optional<OciException> tagRule(
      PolicyRequest r, String tag, String digest, String check, String recorded, String answer) {
    boolean enforce = r.policy().mode() == Mode.ENFORCE;
    decisions.record(
        r,
        tag,
        digest,
        enforce ? AuditOutcome.DENIED : AuditOutcome.AUDIT_WOULD_DENY,
        List.of(check),
        List.of(),
        recorded);
    return enforce ? Optional.of(Decisions.denied(answer)) : Optional.empty();
  }

  /** The configured name of the upstream of {@code r}: pins are per upstream. */
  private static String upstream(PolicyRequest r) {
    return r.route().upstream().config().name();
  }
}
