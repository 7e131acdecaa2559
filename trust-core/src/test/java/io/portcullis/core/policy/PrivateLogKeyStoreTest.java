package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.SignedEntryTimestamp;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key store whose signatures are logged in a private Rekor names the {@code sigstore} store whose
 * trusted root lists that log ({@code sigstore: <store>}); without it, the log entry is checked
 * against the public-good logs and a key bundle logged privately fails {@code tlog: required}.
 */
class PrivateLogKeyStoreTest {
  private static final String BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
  private static final long INTEGRATED = 1_750_000_000L;
  private static final Base64.Encoder B64 = Base64.getEncoder();

  @TempDir java.nio.file.Path dir;
  private PolicyFiles files;
  private KeyPair release;
  private final KeyPair log = KeyAlgorithm.DEFAULT.generate();

  @BeforeEach
  void setUp() throws Exception {
    files = new PolicyFiles(dir);
    release = files.key("keys/release.pub");
    byte[] spki = log.getPublic().getEncoded();
    files.write(
        "certs/private_root.json",
        "{\"tlogs\":[{\"baseUrl\":\"https://rekor.internal\",\"hashAlgorithm\":\"SHA2_256\","
            + "\"publicKey\":{\"rawBytes\":\""
            + B64.encodeToString(spki)
            + "\",\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\","
            + "\"validFor\":{\"start\":\"2025-01-01T00:00:00Z\"}},"
            + "\"logId\":{\"keyId\":\""
            + B64.encodeToString(sha256(spki))
            + "\"}}]}");
  }

  private TrustPolicy policy(String stores, String requirement) {
    return files.parse(
        "version: 1\ntrustStores:\n"
            + "  private-log: {type: sigstore, trustedRoot: certs/private_root.json}\n"
            + stores
            + "policies:\n  - name: p\n    scopes: ['**']\n    signatures:\n"
            + "      anyOf:\n        - "
            + requirement
            + "\n");
  }

  private static final String STORES =
      "  logged-keys: {type: cosign, keys: [keys/release.pub], sigstore: private-log}\n"
          + "  plain-keys: {type: cosign, keys: [keys/release.pub]}\n";

  @Test
  void aKeyBundleLoggedInAPrivateRekorPassesWithTheStoreThatListsTheLog() throws Exception {
    byte[] manifest = "image manifest".getBytes(StandardCharsets.UTF_8);
    Digest image = Digest.sha256(manifest);
    byte[] bundle = loggedKeyBundle(manifest);
    PolicyDecision logged =
        decide(
            policy(STORES, "{type: cosign, trustStore: logged-keys, tlog: required}"),
            image,
            bundle);
    assertTrue(logged.allowed(), logged.message());
    assertTrue(
        String.join(" ", logged.signers()).contains("log index 7"), logged.signers()::toString);
    SignedBy by = logged.signedBy().get(0);
    assertTrue(by.keyId().isPresent() && by.logIndex().equals(OptionalLong.of(7)), by::toString);
    PolicyDecision publicGood =
        decide(
            policy(STORES, "{type: cosign, trustStore: plain-keys, tlog: required}"),
            image,
            bundle);
    assertFalse(publicGood.allowed(), "the public-good logs do not know the private log");
  }

  @Test
  void theNamedStoreMustBeASigstoreStore() {
    for (String wrong : List.of("nowhere", "plain-keys")) {
      PolicyException e =
          assertThrows(
              PolicyException.class,
              () ->
                  policy(
                      "  logged-keys: {type: cosign, keys: [keys/release.pub], sigstore: "
                          + wrong
                          + "}\n  plain-keys: {type: cosign, keys: [keys/release.pub]}\n",
                      "{type: cosign, trustStore: logged-keys}"));
      assertTrue(
          e.getMessage().contains("'" + wrong + "' is not a sigstore store of trustStores")
              && e.getMessage().contains("sigstore stores: private-log"),
          e.getMessage());
    }
  }

  private static PolicyDecision decide(TrustPolicy trust, Digest image, byte[] bundle) {
    var evidence = new SigstoreBundleEvidence(image, BUNDLE, Optional.empty(), bundle);
    return new PolicyEvaluator(trust, Clock.systemUTC())
        .evaluate(
            trust.policies().get(0),
            new Evidence(
                "x", image, List.of(), List.of(), List.of(), List.of(), List.of(evidence)));
  }

  /** A key-based bundle over {@code manifest} with a hashedrekord entry the private log signed. */
  private byte[] loggedKeyBundle(byte[] manifest) throws Exception {
    byte[] sig = Signers.forPrivateKey(release.getPrivate()).sign(manifest);
    String pem = PublicKeyPem.encode(release.getPublic());
    byte[] body =
        ("{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{\"data\":{\"hash\":"
                + "{\"algorithm\":\"sha256\",\"value\":\""
                + Digest.sha256(manifest).hex()
                + "\"}},\"signature\":{\"content\":\""
                + B64.encodeToString(sig)
                + "\",\"publicKey\":{\"content\":\""
                + B64.encodeToString(pem.getBytes(StandardCharsets.UTF_8))
                + "\"}}}}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] logId = sha256(log.getPublic().getEncoded());
    byte[] set =
        Signers.forPrivateKey(log.getPrivate())
            .sign(SignedEntryTimestamp.payload(body, INTEGRATED, logId, 7));
    return ("{\"mediaType\":\""
            + BUNDLE
            + "\",\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"},\"tlogEntries\":[{"
            + "\"logIndex\":\"7\",\"logId\":{\"keyId\":\""
            + B64.encodeToString(logId)
            + "\"},\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},"
            + "\"integratedTime\":\""
            + INTEGRATED
            + "\",\"inclusionPromise\":{\"signedEntryTimestamp\":\""
            + B64.encodeToString(set)
            + "\"},\"canonicalizedBody\":\""
            + B64.encodeToString(body)
            + "\"}]},\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\","
            + "\"digest\":\""
            + B64.encodeToString(sha256(manifest))
            + "\"},\"signature\":\""
            + B64.encodeToString(sig)
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
