package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which signatures {@code verify} and {@code verify --policy} fetch, against a {@link FakeRegistry}
 * holding more signatures than the gateway reads and one too big: the gateway's {@link
 * SignatureBudget} holds in the CLI too (at most 32, each declared within 1 MiB and fetched capped
 * at its declared size), and a NOTE line says what was left out.
 */
class SignatureFetchTest {
  /** More than the budget takes, so some are left out. */
  private static final int ATTACHED = SignatureBudget.MAX_SIGNATURES + 8;

  /** The position of the signature too big to fetch, among the 32 the budget takes. */
  private static final int OVERSIZED = 2;

  static FakeRegistry registry;
  @TempDir static Path work;
  static Path policy;
  static Path publicKey;
  static Path roots;

  @BeforeAll
  static void start() throws Exception {
    registry = new FakeRegistry();
    publicKey = FakeRegistry.writeUnusedPublicKey(work.resolve("release.pub"));
    DevPki.generate().writeTo(work.resolve("pki"), false);
    roots = Files.createDirectories(work.resolve("roots"));
    Files.copy(work.resolve("pki/root.crt"), roots.resolve("root.crt"));
    policy =
        Files.writeString(
            work.resolve("policy.yaml"),
            """
            version: 1
            trustStores:
              release-keys: {type: cosign, keys: [release.pub]}
              release-ca: {type: x509, certificates: [pki/root.crt]}
            policies:
              - name: cosigned
                scopes: ["cosigned/**"]
                signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
              - name: notarised
                scopes: ["notarised/**"]
                signatures: {anyOf: [{type: notation, trustStore: release-ca, identities: ["*"]}]}
            """);
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  /** An image with a config and one layer, tagged {@code 1}; returns its descriptor. */
  static Descriptor image(String repo) {
    Descriptor config = registry.blob(repo, MediaTypes.OCI_CONFIG, "{}".getBytes());
    Descriptor layer = registry.blob(repo, MediaTypes.OCI_LAYER_GZIP, repo.getBytes());
    return registry.manifest(
        repo,
        "1",
        MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(layer), null, null));
  }

  /** A blob of {@code bytes} bytes, unique to {@code i}, that is not a valid signature. */
  static byte[] junk(int i, int bytes) {
    byte[] content = new byte[bytes];
    byte[] label = ("not a signature " + i).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(label, 0, content, 0, label.length);
    return content;
  }

  /**
   * {@code ATTACHED} simple-signing layers, as signing appends them; returned newest first, the
   * order the budget takes them in, the one at {@code OVERSIZED} over 1 MiB.
   */
  static List<Descriptor> cosignSignatures(String repo, Descriptor subject) {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < ATTACHED; i++) {
      int size = i == ATTACHED - 1 - OVERSIZED ? SignatureBudget.MAX_SIGNATURE_BYTES + 1 : 100;
      layers.add(registry.blob(repo, SimpleSigningPayload.MEDIA_TYPE, junk(i, size)));
    }
    Descriptor config = registry.blob(repo, MediaTypes.OCI_CONFIG, "{}".getBytes());
    registry.manifest(
        repo,
        subject.parsedDigest().referrersTag() + ".sig",
        MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null));
    List<Descriptor> newestFirst = new ArrayList<>(layers);
    java.util.Collections.reverse(newestFirst);
    return newestFirst;
  }

  /**
   * {@code ATTACHED} Notary signature manifests in the referrers tag index (the fake registry has
   * no referrers API), the envelope of the one at {@code OVERSIZED} over 1 MiB; returns the
   * envelopes, in index order.
   */
  static List<Descriptor> notarySignatures(
      String repo, Descriptor subject, List<Descriptor> referrers) {
    List<Descriptor> envelopes = new ArrayList<>();
    Descriptor empty = registry.blob(repo, MediaTypes.OCI_EMPTY, SignatureManifest.EMPTY_CONFIG);
    String thumbprints = "[\"" + "ab".repeat(32) + "\"]";
    for (int i = 0; i < ATTACHED; i++) {
      int size = i == OVERSIZED ? SignatureBudget.MAX_SIGNATURE_BYTES + 1 : 100;
      Descriptor envelope = registry.blob(repo, EnvelopeFormat.JWS.mediaType(), junk(i, size));
      envelopes.add(envelope);
      Descriptor manifest =
          registry.manifest(
              repo,
              null,
              MediaTypes.OCI_MANIFEST,
              new ImageManifest(
                  2,
                  MediaTypes.OCI_MANIFEST,
                  SignatureManifest.ARTIFACT_TYPE,
                  empty,
                  List.of(envelope),
                  subject,
                  Map.of(SignatureManifest.THUMBPRINTS, thumbprints)));
      referrers.add(manifest.withArtifactType(SignatureManifest.ARTIFACT_TYPE));
    }
    registry.manifest(
        repo,
        subject.parsedDigest().referrersTag(),
        MediaTypes.OCI_INDEX,
        new ImageIndex(2, MediaTypes.OCI_INDEX, null, referrers, null, null));
    return envelopes;
  }

  static long fetched(String repo, Descriptor blob) {
    return registry.count("GET", "/v2/" + repo + "/blobs/" + blob.digest());
  }

  /**
   * At most the 32 the budget takes ({@code signatures} in the order it takes them: newest first
   * for cosign, referrers order for Notary), each at most once, the oversized one never.
   */
  static void assertWithinBudget(String repo, List<Descriptor> signatures, CliRun run) {
    assertEquals(ExitCodes.VERIFICATION_FAILED, run.exitCode(), run.toString());
    long total = signatures.stream().mapToLong(s -> fetched(repo, s)).sum();
    assertEquals(SignatureBudget.MAX_SIGNATURES - 1, total, "signature blobs fetched");
    assertEquals(0, fetched(repo, signatures.get(OVERSIZED)), "the oversized signature");
    for (int i = SignatureBudget.MAX_SIGNATURES; i < ATTACHED; i++) {
      assertEquals(
          0, fetched(repo, signatures.get(i)), "signature " + i + " is past the budget's 32");
    }
  }

  static void assertNotaryNote(CliRun run) {
    assertTrue(
        run.out()
            .contains(
                "NOTE signatures: 31 of 40 Notary Project signatures were fetched (the first 32"
                    + " per image, at most 1 MiB each)\n"),
        run.toString());
  }

  static CliRun verify(String... args) {
    List<String> all = new ArrayList<>(List.of("verify", "--insecure-registry=" + registry.host()));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  @Test
  void policyVerificationFetchesCosignSignaturesWithinTheBudget() {
    Descriptor subject = image("cosigned/app");
    List<Descriptor> signatures = cosignSignatures("cosigned/app", subject);
    CliRun run = verify("--policy", policy.toString(), registry.host() + "/cosigned/app:1");
    assertWithinBudget("cosigned/app", signatures, run);
    assertTrue(
        run.out()
            .contains(
                "NOTE signatures: 31 of 40 cosign signatures were fetched (the newest 32 per"
                    + " image, at most 1 MiB each)\n"),
        run.toString());
    assertTrue(
        run.out().contains("layer " + signatures.get(OVERSIZED).digest() + " was not fetched"),
        run.toString());
  }

  @Test
  void keyVerificationFetchesCosignSignaturesWithinTheBudget() {
    Descriptor subject = image("cosigned/plain");
    List<Descriptor> signatures = cosignSignatures("cosigned/plain", subject);
    CliRun run = verify("--key", publicKey.toString(), registry.host() + "/cosigned/plain:1");
    assertWithinBudget("cosigned/plain", signatures, run);
    assertTrue(
        run.out()
            .contains(
                "NOTE signatures: 31 of 40 cosign signatures were fetched (the newest 32 per"
                    + " image, at most 1 MiB each)\n"),
        run.toString());
    assertTrue(run.out().contains("0 of 31 cosign signatures passed"), run.toString());
  }

  @Test
  void policyVerificationFetchesNotarySignaturesWithinTheBudget() {
    Descriptor subject = image("notarised/app");
    List<Descriptor> referrers = new ArrayList<>();
    List<Descriptor> envelopes = notarySignatures("notarised/app", subject, referrers);
    CliRun run = verify("--policy", policy.toString(), registry.host() + "/notarised/app:1");
    assertWithinBudget("notarised/app", envelopes, run);
    assertNotaryManifestsWithinBudget("notarised/app", referrers);
    assertNotaryNote(run);
  }

  @Test
  void trustStoreVerificationFetchesNotarySignaturesWithinTheBudget() {
    Descriptor subject = image("notarised/plain");
    List<Descriptor> referrers = new ArrayList<>();
    List<Descriptor> envelopes = notarySignatures("notarised/plain", subject, referrers);
    CliRun run = verify("--trust-store", roots.toString(), registry.host() + "/notarised/plain:1");
    assertWithinBudget("notarised/plain", envelopes, run);
    assertNotaryManifestsWithinBudget("notarised/plain", referrers);
    assertNotaryNote(run);
    assertTrue(run.out().contains("0 of 31 Notary Project signatures passed"), run.toString());
  }

  private static void assertNotaryManifestsWithinBudget(String repo, List<Descriptor> referrers) {
    for (int i = 0; i < ATTACHED; i++) {
      long expected = i < SignatureBudget.MAX_SIGNATURES ? 1 : 0;
      assertEquals(
          expected,
          registry.count("GET", "/v2/" + repo + "/manifests/" + referrers.get(i).digest()),
          "signature manifest " + i);
    }
  }
}
