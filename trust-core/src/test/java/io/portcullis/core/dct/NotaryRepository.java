package io.portcullis.core.dct;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.tuf.CanonicalJson;
import io.portcullis.core.tuf.KeyIds;
import io.portcullis.core.tuf.TestRepository;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufLimits;
import io.portcullis.core.tuf.TufMetadataStore;
import io.portcullis.core.tuf.TufRemote;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Notary v1 repository for one GUN, written the way notary 0.7 writes it (as read from a real
 * {@code notary-server}: capitalised {@code _type}, base64 hashes and signatures with a {@code
 * method}, raw {@code r||s} ECDSA, Ed25519 timestamp key, x509 root certificate with CN = GUN,
 * {@code meta} without versions). Tests change a field, {@link #publish()}, and serve the files as
 * a {@link TufRemote}; every file the server ever had stays as {@code N.root.json}.
 */
final class NotaryRepository {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  /**
   * Verifies {@code gun} from {@code remote} as the gateway does (default limits), keeping the
   * metadata it trusts in {@code store}.
   */
  static TrustData verify(String gun, TufRemote remote, Path store, RootTrust trust, Clock clock)
      throws TufException, IOException {
    return DctVerifier.verify(
        new DctVerifier.Settings(
            new Gun(gun), remote, new TufMetadataStore(store), trust, clock, TufLimits.DEFAULT));
  }

  /** A signing key and its Notary key object. */
  record Key(String type, KeyPair pair, ObjectNode object, String id) {}

  final String gun;
  Key root;
  Key previousRoot;
  Key targets;
  Key snapshot;
  Key timestamp;
  Key releases;
  int rootVersion = 1;
  int targetsVersion = 1;
  int releasesVersion = 1;
  int snapshotVersion = 1;
  int timestampVersion = 1;
  Instant timestampExpires = NOW.plus(Duration.ofDays(14));
  Instant targetsExpires = NOW.plus(Duration.ofDays(1000));
  Instant releasesExpires = NOW.plus(Duration.ofDays(1000));
  List<String> releasesPaths = List.of("");
  final Map<String, byte[]> targetEntries = new LinkedHashMap<>();
  final Map<String, byte[]> releaseEntries = new LinkedHashMap<>();

  /** When set, the targets role's metadata is signed by this key instead of its own. */
  Key targetsSigner;

  /** A second key of the targets role, and the role's threshold. */
  Key secondTargets;

  int targetsThreshold = 1;

  /** When set, exactly these keys sign the targets role's metadata. */
  List<Key> targetsSigners;

  /** When set, the releases role's metadata is signed by this key instead of its own. */
  Key releasesSigner;

  final Map<String, byte[]> files = new HashMap<>();

  /** Two small manifests to sign: one as the tag's target, the other an impostor's. */
  static final byte[] ONE = "{\"schemaVersion\":2,\"n\":1}".getBytes(StandardCharsets.UTF_8);

  static final byte[] TWO = "{\"schemaVersion\":2,\"n\":2}".getBytes(StandardCharsets.UTF_8);

  /**
   * A repository of {@code gun} with fresh keys, {@code v1} signed as {@code manifest}, published.
   */
  static NotaryRepository published(String gun, byte[] manifest) {
    NotaryRepository repo = new NotaryRepository(gun);
    repo.targetEntries.put("v1", manifest);
    repo.publish();
    return repo;
  }

  NotaryRepository(String gun) {
    this.gun = gun;
    root = rootKey(gun, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)));
    targets = ecdsa();
    snapshot = ecdsa();
    timestamp = ed25519();
    releases = ecdsa();
  }

  // ---- keys

  static Key ecdsa() {
    KeyPair pair = TestRepository.generate("EC", new ECGenParameterSpec("secp256r1"));
    return key("ecdsa", pair, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
  }

  static Key ed25519() {
    KeyPair pair = TestRepository.generate("Ed25519", null);
    byte[] spki = pair.getPublic().getEncoded();
    return key(
        "ed25519",
        pair,
        Base64.getEncoder()
            .encodeToString(Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
  }

  static Key rsa() {
    KeyPair pair = TestRepository.generate("RSA", null);
    return key("rsa", pair, Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
  }

  /** An {@code ecdsa-x509} root key: a self-signed certificate with CN = {@code cn}. */
  static Key rootKey(String cn, Instant notBefore, Instant notAfter) {
    KeyPair pair = TestRepository.generate("EC", new ECGenParameterSpec("secp256r1"));
    try {
      X500Name name = new X500Name("CN=" + cn);
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          name,
                          BigInteger.valueOf(System.nanoTime()),
                          Date.from(notBefore),
                          Date.from(notAfter),
                          name,
                          pair.getPublic())
                      .build(
                          new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      String pem = CertificatePem.encode(cert);
      return key(
          "ecdsa-x509",
          pair,
          Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Key key(String type, KeyPair pair, String publicBase64) {
    ObjectNode keyval = JSON.objectNode();
    keyval.putNull("private");
    keyval.put("public", publicBase64);
    ObjectNode object = JSON.objectNode();
    object.put("keytype", type);
    object.set("keyval", keyval);
    return new Key(type, pair, object, KeyIds.notary(type, publicBase64));
  }

  // ---- signing

  /** Notary's signature of {@code data} by {@code key}: (method, bytes). */
  static ObjectNode signature(Key key, byte[] data) {
    try {
      String method;
      Signature signer;
      PrivateKey priv = key.pair().getPrivate();
      switch (key.type()) {
        case "ecdsa", "ecdsa-x509" -> {
          method = "ecdsa";
          signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        }
        case "ed25519" -> {
          method = "eddsa";
          signer = Signature.getInstance("Ed25519");
        }
        default -> {
          method = "rsapss";
          signer = Signature.getInstance("RSASSA-PSS");
          signer.setParameter(
              new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
      }
      signer.initSign(priv);
      signer.update(data);
      ObjectNode sig = JSON.objectNode();
      sig.put("keyid", key.id());
      sig.put("method", method);
      sig.put("sig", Base64.getEncoder().encodeToString(signer.sign()));
      return sig;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] signed(ObjectNode body, List<Key> signers) {
    byte[] canonical = CanonicalJson.NOTARY.canonicalize(body);
    ArrayNode sigs = JSON.arrayNode();
    for (Key k : signers) {
      sigs.add(signature(k, canonical));
    }
    ObjectNode doc = JSON.objectNode();
    doc.set("signed", body);
    doc.set("signatures", sigs);
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---- metadata

  static ObjectNode role(int threshold, Key... keys) {
    ObjectNode role = JSON.objectNode();
    ArrayNode ids = role.putArray("keyids");
    for (Key k : keys) {
      ids.add(k.id());
    }
    role.put("threshold", threshold);
    return role;
  }

  ObjectNode rootBody() {
    ObjectNode body = JSON.objectNode();
    body.put("_type", "Root");
    body.put("consistent_snapshot", false);
    body.put("expires", NOW.plus(Duration.ofDays(3650)).toString());
    ObjectNode keys = body.putObject("keys");
    for (Key k : List.of(root, targets, snapshot, timestamp)) {
      keys.set(k.id(), k.object());
    }
    if (secondTargets != null) {
      keys.set(secondTargets.id(), secondTargets.object());
    }
    ObjectNode roles = body.putObject("roles");
    roles.set("root", role(1, root));
    roles.set(
        "targets",
        secondTargets == null
            ? role(targetsThreshold, targets)
            : role(targetsThreshold, targets, secondTargets));
    roles.set("snapshot", role(1, snapshot));
    roles.set("timestamp", role(1, timestamp));
    body.put("version", rootVersion);
    return body;
  }

  /** Rotates the root key: a new root version signed by the old key and the new, as notary does. */
  void rotateRoot(boolean signWithOld) {
    previousRoot = root;
    root = rootKey(gun, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)));
    rootVersion++;
    writeRoot(signWithOld ? List.of(previousRoot, root) : List.of(root));
  }

  void writeRoot(List<Key> signers) {
    byte[] bytes = signed(rootBody(), signers);
    files.put(rootVersion + ".root.json", bytes);
    files.put("root.json", bytes);
  }

  static ObjectNode target(byte[] content) {
    ObjectNode t = JSON.objectNode();
    ObjectNode hashes = t.putObject("hashes");
    hashes.put("sha256", Base64.getEncoder().encodeToString(digest("SHA-256", content)));
    hashes.put("sha512", Base64.getEncoder().encodeToString(digest("SHA-512", content)));
    t.put("length", content.length);
    return t;
  }

  static byte[] digest(String algorithm, byte[] content) {
    try {
      return MessageDigest.getInstance(algorithm).digest(content);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode targetsBody(
      Map<String, byte[]> entries, int version, Instant expires, ObjectNode delegations) {
    ObjectNode body = JSON.objectNode();
    body.put("_type", "Targets");
    body.set("delegations", delegations);
    body.put("expires", expires.toString());
    ObjectNode map = body.putObject("targets");
    entries.forEach((tag, content) -> map.set(tag, target(content)));
    body.put("version", version);
    return body;
  }

  ObjectNode delegations() {
    ObjectNode d = JSON.objectNode();
    ObjectNode keys = d.putObject("keys");
    ArrayNode roles = d.putArray("roles");
    if (releases != null) {
      keys.set(releases.id(), releases.object());
      ObjectNode role = role(1, releases);
      role.put("name", "targets/releases");
      ArrayNode paths = role.putArray("paths");
      releasesPaths.forEach(paths::add);
      roles.add(role);
    }
    return d;
  }

  static ObjectNode meta(byte[] file) {
    return target(file);
  }

  /** Writes targets, releases, snapshot and timestamp (and root 1 if none yet). */
  void publish() {
    if (!files.containsKey("root.json")) {
      writeRoot(List.of(root));
    }
    byte[] targetsFile =
        signed(
            targetsBody(targetEntries, targetsVersion, targetsExpires, delegations()),
            targetsSigners != null
                ? targetsSigners
                : List.of(targetsSigner != null ? targetsSigner : targets));
    files.put("targets.json", targetsFile);
    byte[] releasesFile =
        signed(
            targetsBody(releaseEntries, releasesVersion, releasesExpires, emptyDelegations()),
            List.of(releasesSigner != null ? releasesSigner : releases));
    files.put("targets/releases.json", releasesFile);
    republishSnapshotAndTimestamp();
  }

  /** A snapshot and timestamp over the targets files as they are in {@link #files}. */
  void republishSnapshotAndTimestamp() {
    byte[] targetsFile = files.get("targets.json");
    byte[] releasesFile = files.get("targets/releases.json");
    ObjectNode snap = JSON.objectNode();
    snap.put("_type", "Snapshot");
    snap.put("expires", NOW.plus(Duration.ofDays(1000)).toString());
    ObjectNode meta = snap.putObject("meta");
    meta.set("root", meta(files.get("root.json")));
    meta.set("targets", meta(targetsFile));
    meta.set("targets/releases", meta(releasesFile));
    snap.put("version", snapshotVersion);
    byte[] snapshotFile = signed(snap, List.of(snapshot));
    files.put("snapshot.json", snapshotFile);
    ObjectNode ts = JSON.objectNode();
    ts.put("_type", "Timestamp");
    ts.put("expires", timestampExpires.toString());
    ts.putObject("meta").set("snapshot", meta(snapshotFile));
    ts.put("version", timestampVersion);
    files.put("timestamp.json", signed(ts, List.of(timestamp)));
  }

  /** Bumps every version and publishes again, as a new notary publish would. */
  void publishNext() {
    targetsVersion++;
    releasesVersion++;
    snapshotVersion++;
    timestampVersion++;
    publish();
  }

  private static ObjectNode emptyDelegations() {
    ObjectNode d = JSON.objectNode();
    d.putObject("keys");
    d.putArray("roles");
    return d;
  }

  /** The files as they are now, served with the caller's cap. */
  TufRemote remote() {
    Map<String, byte[]> snapshotOfFiles = new HashMap<>(files);
    return (path, maxBytes) -> {
      byte[] bytes = snapshotOfFiles.get(path);
      if (bytes == null) {
        return Optional.empty();
      }
      if (bytes.length > maxBytes) {
        throw new TufException.TooLarge(path + " is larger than " + maxBytes);
      }
      return Optional.of(bytes);
    };
  }

  /** The files as they are now, with {@code file} replaced by {@code bytes}. */
  TufRemote remoteWith(String file, byte[] bytes) {
    Map<String, byte[]> changed = new HashMap<>(files);
    changed.put(file, bytes);
    return (path, maxBytes) -> Optional.ofNullable(changed.get(path));
  }

  static List<String> ids(Key... keys) {
    List<String> ids = new ArrayList<>();
    for (Key k : keys) {
      ids.add(k.id());
    }
    return ids;
  }
}
