package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.Pae;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">Sigstore
 * bundles v0.3</a> ({@code application/vnd.dev.sigstore.bundle.v0.3+json}) signed by a {@link
 * PrivateSigstore}: keyless (a Fulcio-style certificate, logged in its Rekor log with a SET and an
 * inclusion proof) or key-based (a {@code publicKey} hint, logged only when asked), with the
 * content a {@code messageSignature} (a Rekor {@code hashedrekord} 0.0.1 entry) or a DSSE envelope
 * over an in-toto statement (a Rekor {@code dsse} 0.0.1 entry). Each keyless method takes {@link
 * Fault}s to build in.
 */
public final class BundleWriter {
  /** What cosign v3 writes. */
  public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** The predicate type of a cosign v3 image signature. */
  public static final String COSIGN_SIGN_V1 = "https://sigstore.dev/cosign/sign/v1";

  /** The predicate type of SLSA provenance v1. */
  public static final String SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1";

  /** cosign's annotation for an RFC 3161 timestamp on a legacy signature layer. */
  public static final String RFC3161_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";

  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final HexFormat HEX = HexFormat.of();

  private final PrivateSigstore sigstore;

  BundleWriter(PrivateSigstore sigstore) {
    this.sigstore = sigstore;
  }

  /**
   * A keyless cosign v3 image signature: DSSE over an in-toto statement with predicate type {@link
   * #COSIGN_SIGN_V1} and an empty predicate, whose subject is {@code image}.
   *
   * @param name the subject's name (the image's repository)
   */
  public byte[] imageSignature(
      String name, Digest image, SigningIdentity identity, Fault... faults) {
    return attestation(
        name, image, COSIGN_SIGN_V1, JsonNodeFactory.instance.objectNode(), identity, faults);
  }

  /**
   * Keyless GitHub-style SLSA provenance v1 about {@code image}, built by {@code builderId} ({@code
   * runDetails.builder.id}).
   */
  public byte[] provenance(
      String name, Digest image, String builderId, SigningIdentity identity, Fault... faults) {
    ObjectNode predicate = JsonNodeFactory.instance.objectNode();
    ObjectNode build = predicate.putObject("buildDefinition");
    build.put("buildType", "https://actions.github.io/buildtypes/workflow/v1");
    ObjectNode workflow = build.putObject("externalParameters").putObject("workflow");
    workflow.put("ref", identity.extensions().getOrDefault(FulcioOids.SOURCE_REPOSITORY_REF, ""));
    workflow.put(
        "repository", identity.extensions().getOrDefault(FulcioOids.SOURCE_REPOSITORY_URI, ""));
    workflow.put("path", ".github/workflows/release.yml");
    ObjectNode run = predicate.putObject("runDetails");
    run.putObject("builder").put("id", builderId);
    run.putObject("metadata")
        .put(
            "invocationId",
            identity.extensions().getOrDefault(FulcioOids.RUN_INVOCATION_URI, "unknown"));
    return attestation(name, image, SLSA_PROVENANCE_V1, predicate, identity, faults);
  }

  /** A keyless DSSE bundle over an in-toto v1 statement about {@code image}. */
  public byte[] attestation(
      String name,
      Digest image,
      String predicateType,
      JsonNode predicate,
      SigningIdentity identity,
      Fault... faults) {
    Set<Fault> f = set(faults);
    Digest subject = f.contains(Fault.OTHER_DIGEST) ? otherDigest(image) : image;
    byte[] statement = statement(name, subject, predicateType, predicate);
    Instant now = sigstore.now();
    IssuedCertificate cert = certificate(identity, f, now);
    byte[] sig =
        sign(cert.key().getPrivate(), Pae.encode(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, statement));
    byte[] verifier = pem(CertificatePem.encode(cert.leaf()));
    LogEntry entry =
        f.contains(Fault.NO_TLOG_ENTRY) ? null : dsseEntry(statement, sig, verifier, now, f);
    ObjectNode bundle = base(entry, f, sig, now);
    byte[] payload = f.contains(Fault.TAMPERED_PAYLOAD) ? tamper(statement) : statement;
    byte[] signature = f.contains(Fault.TAMPERED_SIGNATURE) ? flip(sig) : sig;
    ((ObjectNode) bundle.get("verificationMaterial"))
        .putObject("certificate")
        .put("rawBytes", B64.encodeToString(PrivateSigstore.der(cert.leaf())));
    bundle.set("dsseEnvelope", envelope(payload, signature));
    return StrictJson.write(reorder(bundle));
  }

  /** A keyless message signature over {@code artifact}'s bytes (a {@code hashedrekord}). */
  public byte[] messageSignature(byte[] artifact, SigningIdentity identity, Fault... faults) {
    Set<Fault> f = set(faults);
    byte[] signed = f.contains(Fault.OTHER_DIGEST) ? otherContent(artifact) : artifact;
    Instant now = sigstore.now();
    IssuedCertificate cert = certificate(identity, f, now);
    byte[] sig = sign(cert.key().getPrivate(), signed);
    byte[] digest = MerkleTree.sha256(signed);
    byte[] verifier = pem(CertificatePem.encode(cert.leaf()));
    LogEntry entry =
        f.contains(Fault.NO_TLOG_ENTRY) ? null : hashedRekordEntry(digest, sig, verifier, now, f);
    ObjectNode bundle = base(entry, f, sig, now);
    ((ObjectNode) bundle.get("verificationMaterial"))
        .putObject("certificate")
        .put("rawBytes", B64.encodeToString(PrivateSigstore.der(cert.leaf())));
    bundle.set(
        "messageSignature",
        messageSignatureJson(
            f.contains(Fault.TAMPERED_PAYLOAD) ? flip(digest) : digest,
            f.contains(Fault.TAMPERED_SIGNATURE) ? flip(sig) : sig));
    return StrictJson.write(reorder(bundle));
  }

  /**
   * A key-based cosign v3 image signature (DSSE, predicate {@link #COSIGN_SIGN_V1}) with a {@code
   * publicKey} hint; logged in the Rekor log only if {@code logged}, as {@code cosign sign} does
   * without and with {@code --tlog-upload}.
   */
  public byte[] keyImageSignature(String name, Digest image, KeyPair key, boolean logged) {
    byte[] statement =
        statement(name, image, COSIGN_SIGN_V1, JsonNodeFactory.instance.objectNode());
    byte[] sig = sign(key.getPrivate(), Pae.encode(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, statement));
    Instant now = sigstore.now();
    byte[] verifier = pem(PublicKeyPem.encode(key.getPublic()));
    LogEntry entry = logged ? dsseEntry(statement, sig, verifier, now, Set.of()) : null;
    ObjectNode bundle = base(entry, Set.of(), sig, now);
    ((ObjectNode) bundle.get("verificationMaterial"))
        .putObject("publicKey")
        .put("hint", keyHint(key));
    bundle.set("dsseEnvelope", envelope(statement, sig));
    return StrictJson.write(reorder(bundle));
  }

  /** A key-based message signature over {@code artifact}; logged only if {@code logged}. */
  public byte[] keyMessageSignature(byte[] artifact, KeyPair key, boolean logged) {
    byte[] sig = sign(key.getPrivate(), artifact);
    byte[] digest = MerkleTree.sha256(artifact);
    Instant now = sigstore.now();
    byte[] verifier = pem(PublicKeyPem.encode(key.getPublic()));
    LogEntry entry = logged ? hashedRekordEntry(digest, sig, verifier, now, Set.of()) : null;
    ObjectNode bundle = base(entry, Set.of(), sig, now);
    ((ObjectNode) bundle.get("verificationMaterial"))
        .putObject("publicKey")
        .put("hint", keyHint(key));
    bundle.set("messageSignature", messageSignatureJson(digest, sig));
    return StrictJson.write(reorder(bundle));
  }

  /**
   * A legacy keyless cosign signature layer (the {@code .sig} tag's format): the simple signing
   * payload for {@code image}, signed by a Fulcio-style leaf, logged as a {@code hashedrekord} over
   * the payload, with the {@code dev.cosignproject.cosign/signature}, {@code
   * dev.sigstore.cosign/certificate}, {@code /chain} and {@code /bundle} (SET and entry)
   * annotations, and {@code /rfc3161timestamp} when the instance has a TSA. Faults as for bundles.
   */
  public AttachmentLayer legacyImageSignature(
      String dockerReference, Digest image, SigningIdentity identity, Fault... faults) {
    Set<Fault> f = set(faults);
    Digest signedDigest = f.contains(Fault.OTHER_DIGEST) ? otherDigest(image) : image;
    byte[] payload = SimpleSigningPayload.create(dockerReference, signedDigest, Map.of()).raw();
    Instant now = sigstore.now();
    IssuedCertificate cert = certificate(identity, f, now);
    byte[] sig = sign(cert.key().getPrivate(), payload);
    String certPem = CertificatePem.encode(cert.leaf());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(
        CosignAnnotations.SIGNATURE,
        B64.encodeToString(f.contains(Fault.TAMPERED_SIGNATURE) ? flip(sig) : sig));
    annotations.put(CosignAnnotations.CERTIFICATE, certPem);
    StringBuilder chain = new StringBuilder();
    cert.chain().forEach(c -> chain.append(CertificatePem.encode(c)));
    annotations.put(CosignAnnotations.CHAIN, chain.toString());
    if (!f.contains(Fault.NO_TLOG_ENTRY)) {
      LogEntry e = hashedRekordEntry(MerkleTree.sha256(payload), sig, pem(certPem), now, f);
      ObjectNode bundle = JsonNodeFactory.instance.objectNode();
      bundle.put("SignedEntryTimestamp", B64.encodeToString(e.signedEntryTimestamp()));
      bundle
          .putObject("Payload")
          .put("body", B64.encodeToString(e.body()))
          .put("integratedTime", e.integratedTime())
          .put("logIndex", e.logIndex())
          .put("logID", HEX.formatHex(e.logId()));
      annotations.put(
          CosignAnnotations.BUNDLE, new String(StrictJson.write(bundle), StandardCharsets.UTF_8));
      sigstore
          .timestampAuthority()
          .ifPresent(
              t -> {
                ObjectNode ts = JsonNodeFactory.instance.objectNode();
                ts.put("SignedRFC3161Timestamp", B64.encodeToString(t.timestamp(sig, now)));
                annotations.put(
                    RFC3161_TIMESTAMP, new String(StrictJson.write(ts), StandardCharsets.UTF_8));
              });
    }
    return AttachmentLayer.create(
        SimpleSigningPayload.MEDIA_TYPE,
        f.contains(Fault.TAMPERED_PAYLOAD) ? tamper(payload) : payload,
        annotations);
  }

  /** The in-toto v1 statement bytes about one subject. */
  public static byte[] statement(
      String name, Digest subject, String predicateType, JsonNode predicate) {
    ObjectNode s = JsonNodeFactory.instance.objectNode();
    s.put("_type", "https://in-toto.io/Statement/v1");
    s.putArray("subject")
        .addObject()
        .put("name", name)
        .putObject("digest")
        .put(subject.algorithm(), subject.hex());
    s.put("predicateType", predicateType);
    s.set("predicate", predicate);
    return StrictJson.write(s);
  }

  private IssuedCertificate certificate(SigningIdentity identity, Set<Fault> f, Instant now) {
    SigningIdentity id = identity;
    if (f.contains(Fault.WRONG_SAN)) {
      id = id.withSan(Fault.ATTACKER_SAN);
    }
    if (f.contains(Fault.WRONG_ISSUER)) {
      id = id.withIssuer(Fault.ATTACKER_ISSUER);
    }
    Instant notBefore =
        f.contains(Fault.LEAF_EXPIRED_AT_LOG_TIME)
            ? now.minus(FulcioCa.LEAF_VALIDITY.multipliedBy(2))
            : now;
    FulcioCa ca = f.contains(Fault.CA_NOT_VALID_AT_LOG_TIME) ? sigstore.retiredCa() : sigstore.ca();
    FulcioCa.SctMode sct =
        f.contains(Fault.SCT_WRONG_KEY)
            ? FulcioCa.SctMode.WRONG_KEY
            : f.contains(Fault.SCT_TAMPERED)
                ? FulcioCa.SctMode.FLIPPED
                : f.contains(Fault.NO_SCT) ? FulcioCa.SctMode.NONE : FulcioCa.SctMode.VALID;
    return sigstore.issue(id, notBefore, ca, sct);
  }

  private LogEntry dsseEntry(
      byte[] statement, byte[] sig, byte[] verifier, Instant now, Set<Fault> f) {
    byte[] envelope = StrictJson.write(envelope(statement, sig));
    byte[] body = RekorBodies.dsse(envelope, statement, sig, verifier);
    LogEntry entry = sigstore.rekor().append("dsse", "0.0.1", body, now);
    if (f.contains(Fault.SET_OVER_OTHER_BODY)) {
      byte[] other = RekorBodies.dsse(envelope, otherContent(statement), sig, verifier);
      entry = overOther(entry, other);
    }
    return entry;
  }

  private LogEntry hashedRekordEntry(
      byte[] digest, byte[] sig, byte[] verifier, Instant now, Set<Fault> f) {
    byte[] body = RekorBodies.hashedRekord(digest, sig, verifier);
    LogEntry entry = sigstore.rekor().append("hashedrekord", "0.0.1", body, now);
    if (f.contains(Fault.SET_OVER_OTHER_BODY)) {
      entry = overOther(entry, RekorBodies.hashedRekord(flip(digest), sig, verifier));
    }
    return entry;
  }

  private LogEntry overOther(LogEntry entry, byte[] otherBody) {
    return entry.withSignedEntryTimestamp(
        sigstore.rekor().signedEntryTimestamp(otherBody, entry.integratedTime(), entry.logIndex()));
  }

  /**
   * The bundle skeleton: media type, tlog entry and (with a TSA) a timestamp over the signature.
   */
  private ObjectNode base(LogEntry entry, Set<Fault> f, byte[] sig, Instant now) {
    ObjectNode bundle = JsonNodeFactory.instance.objectNode();
    bundle.put("mediaType", MEDIA_TYPE);
    ObjectNode material = bundle.putObject("verificationMaterial");
    if (entry != null) {
      material.putArray("tlogEntries").add(entry.toBundleJson());
    }
    if (!f.contains(Fault.NO_TLOG_ENTRY)) {
      sigstore
          .timestampAuthority()
          .ifPresent(
              t ->
                  material
                      .putObject("timestampVerificationData")
                      .putArray("rfc3161Timestamps")
                      .addObject()
                      .put("signedTimestamp", B64.encodeToString(t.timestamp(sig, now))));
    }
    return bundle;
  }

  private static ObjectNode material(ObjectNode bundle) {
    return (ObjectNode) bundle.get("verificationMaterial");
  }

  // verificationMaterial's key material first, as the Sigstore clients write it
  private static ObjectNode reorder(ObjectNode bundle) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set("mediaType", bundle.get("mediaType"));
    ObjectNode m = material(bundle);
    ObjectNode material = out.putObject("verificationMaterial");
    for (String k : List.of("certificate", "x509CertificateChain", "publicKey")) {
      if (m.has(k)) {
        material.set(k, m.get(k));
      }
    }
    for (String k : List.of("tlogEntries", "timestampVerificationData")) {
      if (m.has(k)) {
        material.set(k, m.get(k));
      }
    }
    for (String k : List.of("messageSignature", "dsseEnvelope")) {
      if (bundle.has(k)) {
        out.set(k, bundle.get(k));
      }
    }
    return out;
  }

  private static ObjectNode envelope(byte[] payload, byte[] sig) {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("payload", B64.encodeToString(payload));
    e.put("payloadType", DsseEnvelope.IN_TOTO_PAYLOAD_TYPE);
    e.putArray("signatures").addObject().put("sig", B64.encodeToString(sig));
    return e;
  }

  private static ObjectNode messageSignatureJson(byte[] digest, byte[] sig) {
    ObjectNode m = JsonNodeFactory.instance.objectNode();
    m.putObject("messageDigest")
        .put("algorithm", "SHA2_256")
        .put("digest", B64.encodeToString(digest));
    m.put("signature", B64.encodeToString(sig));
    return m;
  }

  /** cosign's key hint: base64 of the SHA-256 of the key's DER. */
  public static String keyHint(KeyPair key) {
    return B64.encodeToString(MerkleTree.sha256(key.getPublic().getEncoded()));
  }

  private static byte[] sign(PrivateKey key, byte[] data) {
    return EcKeys.sign(key, data);
  }

  private static byte[] pem(String pem) {
    return pem.getBytes(StandardCharsets.UTF_8);
  }

  private static Set<Fault> set(Fault... faults) {
    Set<Fault> s = EnumSet.noneOf(Fault.class);
    s.addAll(List.of(faults));
    return s;
  }

  // a trailing space: still the same JSON statement, so only the signature can tell
  private static byte[] tamper(byte[] statement) {
    byte[] out = java.util.Arrays.copyOf(statement, statement.length + 1);
    out[statement.length] = ' ';
    return out;
  }

  private static byte[] flip(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length / 2] ^= 0x01;
    return copy;
  }

  private static byte[] otherContent(byte[] content) {
    byte[] out = java.util.Arrays.copyOf(content, content.length + 1);
    out[content.length] = '\n';
    return out;
  }

  private static Digest otherDigest(Digest image) {
    return Digest.sha256(("not " + image).getBytes(StandardCharsets.UTF_8));
  }
}
