package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

/**
 * A private Sigstore instance built in memory for tests: a Fulcio-style CA (root and intermediate),
 * a second "retired" CA whose trusted-root window has ended, a CT log that signs SCTs, a
 * Rekor-style log that signs SETs and checkpoints, and optionally an RFC 3161 timestamp authority;
 * {@link #trustedRootJson()} lists them all with their windows, as a <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">TrustedRoot</a>.
 * Times come from the injected {@link Clock}. Thread-safe.
 */
public final class PrivateSigstore {
  /** The Fulcio URI the trusted root names. */
  public static final String FULCIO_URI = "https://fulcio.private.test";

  private final Clock clock;
  private final FulcioCa ca;
  private final Instant caStart;
  private final Instant caEnd;
  private final FulcioCa retiredCa;
  private final Instant retiredStart;
  private final Instant retiredEnd;
  private final CtLog ctLog;
  private final RekorLog rekor;
  private final Instant logStart;
  private final Optional<TimestampAuthority> tsa;

  private PrivateSigstore(Builder b) {
    this.clock = b.clock;
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    this.caStart = b.caStart != null ? b.caStart : now.minus(Duration.ofDays(30));
    this.caEnd = b.caEnd;
    // the certificates outlive the window, so that only the trusted root's window can refuse
    Instant certEnd = now.plus(Duration.ofDays(3650));
    this.ca = new FulcioCa("private-fulcio", b.caCurve, caStart, certEnd);
    this.retiredStart = now.minus(Duration.ofDays(365));
    this.retiredEnd = now.minus(Duration.ofDays(1));
    // in date by its own certificates, so only the trusted root's window can refuse it
    this.retiredCa =
        new FulcioCa("retired-fulcio", b.caCurve, retiredStart, now.plus(Duration.ofDays(365)));
    this.logStart = now.minus(Duration.ofDays(30));
    this.ctLog = new CtLog(EcKeys.generate(EcKeys.Curve.P256));
    this.rekor = new RekorLog(b.rekorHost, b.treeId, EcKeys.generate(EcKeys.Curve.P256));
    this.tsa =
        b.timestampAuthority
            ? Optional.of(new TimestampAuthority(caStart, certEnd))
            : Optional.empty();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Clock clock() {
    return clock;
  }

  /** The current CA, valid (in the trusted root) from {@code caStart} on. */
  public FulcioCa ca() {
    return ca;
  }

  /** The CA whose trusted-root window ended yesterday. */
  public FulcioCa retiredCa() {
    return retiredCa;
  }

  public CtLog ctLog() {
    return ctLog;
  }

  public RekorLog rekor() {
    return rekor;
  }

  public Optional<TimestampAuthority> timestampAuthority() {
    return tsa;
  }

  /** A 10-minute leaf for a new ephemeral P-256 key, from now, with a valid SCT. */
  public IssuedCertificate issue(SigningIdentity identity) {
    return issue(identity, now(), ca, FulcioCa.SctMode.VALID);
  }

  /** A leaf from {@code issuer} valid from {@code notBefore}, with an SCT as {@code sct} says. */
  public IssuedCertificate issue(
      SigningIdentity identity, Instant notBefore, FulcioCa issuer, FulcioCa.SctMode sct) {
    KeyPair key = EcKeys.generate(EcKeys.Curve.P256);
    X509Certificate leaf = issuer.issue(identity, key.getPublic(), notBefore, ctLog, sct);
    return new IssuedCertificate(key, leaf, issuer.chain());
  }

  /** The writer of bundles signed by this instance. */
  public BundleWriter bundles() {
    return new BundleWriter(this);
  }

  /** The clock's time, to the second (what Rekor's integrated time and X.509 dates hold). */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * This instance's {@code trusted_root.json}: the Rekor log, both CAs (the retired one with its
   * ended window), the CT log and the TSA when there is one.
   */
  public byte[] trustedRootJson() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
    root.putArray("tlogs")
        .add(log("https://" + rekor.host(), rekor.publicKey().getEncoded(), rekor.logId()));
    ArrayNode cas = root.putArray("certificateAuthorities");
    cas.add(authority(FULCIO_URI, ca, caStart, caEnd));
    cas.add(authority("https://retired-fulcio.private.test", retiredCa, retiredStart, retiredEnd));
    root.putArray("ctlogs")
        .add(log("https://ctfe.private.test/test", ctLog.publicKey().getEncoded(), ctLog.logId()));
    ArrayNode tsas = root.putArray("timestampAuthorities");
    tsa.ifPresent(
        t ->
            tsas.add(
                authority("https://tsa.private.test", "private-tsa", t.chain(), caStart, null)));
    return StrictJson.write(root);
  }

  private ObjectNode log(String url, byte[] keyDer, byte[] logId) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("baseUrl", url);
    n.put("hashAlgorithm", "SHA2_256");
    ObjectNode key = n.putObject("publicKey");
    key.put("rawBytes", Base64.getEncoder().encodeToString(keyDer));
    key.put("keyDetails", EcKeys.Curve.P256.keyDetails());
    key.putObject("validFor").put("start", logStart.toString());
    n.putObject("logId").put("keyId", Base64.getEncoder().encodeToString(logId));
    return n;
  }

  private static ObjectNode authority(String uri, FulcioCa ca, Instant start, Instant end) {
    return authority(uri, ca.name(), ca.chain(), start, end);
  }

  private static ObjectNode authority(
      String uri, String name, java.util.List<X509Certificate> chain, Instant start, Instant end) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.putObject("subject").put("organization", name).put("commonName", name);
    n.put("uri", uri);
    ArrayNode certs = n.putObject("certChain").putArray("certificates");
    for (X509Certificate c : chain) {
      certs.addObject().put("rawBytes", Base64.getEncoder().encodeToString(der(c)));
    }
    ObjectNode validFor = n.putObject("validFor").put("start", start.toString());
    if (end != null) {
      validFor.put("end", end.toString());
    }
    return n;
  }

  static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Options of a {@link PrivateSigstore}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Instant caStart;
    private Instant caEnd;
    private EcKeys.Curve caCurve = EcKeys.Curve.P384;
    private String rekorHost = "rekor.private.test";
    private long treeId = 1193050959916656506L;
    private boolean timestampAuthority;

    private Builder() {}

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /**
     * The CA's window in the trusted root and its certificates' dates; {@code end} null for an open
     * window (the default: from 30 days ago, open).
     */
    public Builder caValidFor(Instant start, Instant end) {
      this.caStart = start;
      this.caEnd = end;
      return this;
    }

    /** The CA's curve (P-384 by default, as public-good Fulcio's). */
    public Builder caCurve(EcKeys.Curve curve) {
      this.caCurve = curve;
      return this;
    }

    /** The Rekor log's host name (its checkpoint origin and base URL). */
    public Builder rekorHost(String host) {
      this.rekorHost = host;
      return this;
    }

    /** Whether to run an RFC 3161 timestamp authority too. */
    public Builder timestampAuthority(boolean on) {
      this.timestampAuthority = on;
      return this;
    }

    public PrivateSigstore build() {
      return new PrivateSigstore(this);
    }
  }
}
