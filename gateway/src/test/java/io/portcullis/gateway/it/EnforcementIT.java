package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust enforcement end to end: images signed with the real {@code portcullis-signer} CLI (cosign
 * keys and Notary certificates) in a real docker-registry, pulled through the gateway with skopeo
 * under a trust policy. Signed images pass; unsigned, wrong-key, tampered and wrongly-identified
 * ones are refused with a message naming the policy; audit mode serves and logs; pins hold when the
 * upstream tag moves.
 */
class EnforcementIT {
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static FaultyUpstream faulty;
  static Skopeo skopeo;
  static TestImages images;
  static Path auditLog;
  static Path lockfile;
  static int seed = 100;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release", "other");
    Signer.devPki(dir);
    lockfile = dir.resolve("pins.yaml");
    Files.writeString(lockfile, "version: 1\npins: {}\n");
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [release.pub]}
          release-ca: {type: x509, certificates: [pki/root.crt]}
        policies:
          - name: prod
            scopes: ["prod/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            tags: {allowLatest: false, pin: none}
          - name: two-party
            scopes: ["both/**"]
            mode: enforce
            signatures:
              allOf:
                - {type: cosign, trustStore: release-keys}
                - {type: notation, trustStore: release-ca, identities: ["x509.subject: C=US, ST=WA, O=Portcullis Dev"]}
          - name: wrong-identity
            scopes: ["ident/**"]
            mode: enforce
            signatures:
              anyOf: [{type: notation, trustStore: release-ca, identities: ["x509.subject: C=US, ST=WA, O=Someone Else"]}]
          - name: pinned
            scopes: ["pinned/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            tags: {pin: signed}
          - name: tofu
            scopes: ["tofu/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            tags: {pin: first-seen}
          - name: locked
            scopes: ["locked/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
            tags: {pin: lockfile, lockfile: pins.yaml}
          - name: watch
            scopes: ["audit/**"]
            mode: audit
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
          - name: expiring
            scopes: ["expiry/**"]
            mode: enforce
            signatures: {anyOf: [{type: notation, trustStore: release-ca, identities: ["*"]}]}
          - name: through-fault
            scopes: ["viafault/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
          - name: default
            scopes: ["**"]
            mode: off
        """);
    faulty = FaultyUpstream.start(registry);
    auditLog = dir.resolve("audit/decisions.jsonl");
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", registry.url(), "", true)
            .upstream("faulty", faulty.url(), "viafault", false)
            .policy(dir.resolve("policy.yaml"), auditLog)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, faulty, registry);
  }

  @Test
  void expiredNotarySignatureIsDeniedAndAnUnexpiredOnePasses() throws Exception {
    push("expiry/fresh:v1");
    notarySign("expiry/fresh:v1", "--expiry", "1h");
    assertEquals(200, Http.get(gateway.url() + "/v2/expiry/fresh/manifests/v1").statusCode());

    push("expiry/stale:v1");
    notarySign("expiry/stale:v1", "--expiry", "1s");
    // Expiry is about time passing: the signature was made before the signing command ended (under
    // load, seconds after it started), so it has expired 1 s after that end.
    Instant signed = Instant.now();
    while (Instant.now().isBefore(signed.plusMillis(1500))) {
      Thread.sleep(100);
    }
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/expiry/stale/manifests/v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(
        r.body().contains("denied by policy 'expiring'")
            && r.body().toLowerCase().contains("expir"),
        r.body());
  }

  private static void notarySign(String repoTag, String... extra) {
    Signer.notationSign(dir, registry, repoTag, extra);
  }

  @Test
  void signaturesThatCannotBeFetchedFailClosedWith503() throws Exception {
    push("prod/fragile:v1");
    sign("prod/fragile:v1", "release");
    faulty.fault(
        FaultyUpstream.Fault.TRUNCATE); // blob GETs, the signature layers among them, break off
    try {
      HttpResponse<String> r = Http.get(gateway.url() + "/v2/viafault/prod/fragile/manifests/v1");
      assertEquals(503, r.statusCode(), r.body());
      assertEquals("UNAVAILABLE", Http.errorCode(r));
      assertTrue(
          r.body().contains("could not verify") && r.body().contains("through-fault"), r.body());
    } finally {
      faulty.fault(FaultyUpstream.Fault.NONE);
    }
    // "Could not verify" is not remembered as a verdict: once the upstream is healthy it passes.
    assertEquals(
        200, Http.get(gateway.url() + "/v2/viafault/prod/fragile/manifests/v1").statusCode());
  }

  @Test
  void signedImagePassesAndUnsignedIsDeniedWithAnActionableMessage() throws Exception {
    OciLayout signed = push("prod/app:v1");
    sign("prod/app:v1", "release");
    Path out = dir.resolve("signed-pull");
    pull("prod/app:v1", out).orThrow();
    assertEquals(signed.digest(), DirImage.read(out).manifestDigest());

    push("prod/unsigned:v1");
    CommandResult denied = pull("prod/unsigned:v1", dir.resolve("unsigned-pull"));
    assertFalse(denied.ok());
    assertTrue(denied.stderr().contains("denied by policy 'prod'"), denied.stderr());
    assertTrue(
        denied.stderr().contains("release-keys"), "says what would satisfy it: " + denied.stderr());

    HttpResponse<String> raw = Http.get(gateway.url() + "/v2/prod/unsigned/manifests/v1");
    assertEquals(403, raw.statusCode());
    assertEquals("DENIED", Http.errorCode(raw));

    String audit = Files.readString(auditLog);
    assertTrue(
        audit.contains("\"repository\":\"prod/app\"") && audit.contains("\"outcome\":\"allowed\""),
        audit);
    assertTrue(
        audit.contains("\"repository\":\"prod/unsigned\"")
            && audit.contains("\"outcome\":\"denied\""),
        audit);
  }

  @Test
  void containerdMirrorRequestsAreJudgedByTheirCanonicalPath() throws Exception {
    push("prod/mirrored:v1");
    sign("prod/mirrored:v1", "release");
    // ?ns=viafault reaches the faulty upstream's prefix: the repository is viafault/prod/mirrored,
    // and its policy ('through-fault'), not the one for the name as sent ('prod'), decides.
    push("prod/unsignedmirror:v1");
    HttpResponse<String> r =
        Http.get(gateway.url() + "/v2/prod/unsignedmirror/manifests/v1?ns=viafault");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("denied by policy 'through-fault'"), r.body());
    assertEquals(
        200, Http.get(gateway.url() + "/v2/prod/mirrored/manifests/v1?ns=viafault").statusCode());
  }

  @Test
  void wrongKeyAndTamperedSignaturesAreDenied() throws Exception {
    push("prod/wrongkey:v1");
    sign("prod/wrongkey:v1", "other");
    CommandResult wrong = pull("prod/wrongkey:v1", dir.resolve("wrongkey"));
    assertFalse(wrong.ok());
    assertTrue(wrong.stderr().contains("denied by policy 'prod'"), wrong.stderr());

    // A genuine signature of image A, copied to image B's signature tag, must not vouch for B.
    OciLayout a = push("prod/tampered:a");
    sign("prod/tampered:a", "release");
    OciLayout b = push("prod/tampered:b");
    byte[] sigOfA =
        Http.getBytes(
                registry.url()
                    + "/v2/prod/tampered/manifests/"
                    + Digest.parse(a.digest()).referrersTag()
                    + ".sig",
                "Accept",
                MediaTypes.OCI_MANIFEST)
            .body();
    assertEquals(
        201,
        Http.send(
                "PUT",
                registry.url()
                    + "/v2/prod/tampered/manifests/"
                    + Digest.parse(b.digest()).referrersTag()
                    + ".sig",
                sigOfA,
                "Content-Type",
                MediaTypes.OCI_MANIFEST)
            .statusCode());
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/prod/tampered/manifests/b");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("payload signs " + a.digest()), r.body());
  }

  @Test
  void latestIsRefusedWhereThePolicySaysSo() throws Exception {
    push("prod/app2:latest");
    sign("prod/app2:latest", "release");
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/prod/app2/manifests/latest");
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("latest"), r.body());
  }

  @Test
  void blobsOfUnapprovedManifestsAreNotServed() throws Exception {
    OciLayout image = push("prod/blobs:v1");
    String layer = DirImage.read(copyDirect("prod/blobs:v1")).blobs().keySet().iterator().next();
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/prod/blobs/blobs/" + layer);
    assertEquals(403, r.statusCode(), r.body());
    sign("prod/blobs:v1", "release");
    pull("prod/blobs:v1", dir.resolve("blobs-pull")).orThrow();
    assertEquals(200, Http.getBytes(gateway.url() + "/v2/prod/blobs/blobs/" + layer).statusCode());
    assertTrue(image.digest().startsWith("sha256:"));
  }

  @Test
  void allOfNeedsBothTheCosignKeyAndTheNotaryCertificate() throws Exception {
    push("both/app:v1");
    sign("both/app:v1", "release");
    assertFalse(pull("both/app:v1", dir.resolve("both-1")).ok(), "cosign alone is not enough");
    notarySign("both/app:v1");
    // A denial is cached briefly; a new signature is honoured once it expires or for a new digest.
    OciLayout second = push("both/app:v2");
    sign("both/app:v2", "release");
    notarySign("both/app:v2");
    Path out = dir.resolve("both-2");
    pull("both/app:v2", out).orThrow();
    assertEquals(second.digest(), DirImage.read(out).manifestDigest());
  }

  @Test
  void notarySignatureFromAnUntrustedIdentityIsDenied() throws Exception {
    push("ident/app:v1");
    notarySign("ident/app:v1");
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/ident/app/manifests/v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("wrong-identity"), r.body());
  }

  @Test
  void auditModeServesAndRecordsTheWouldBeDenial() throws Exception {
    OciLayout image = push("audit/app:v1");
    Path out = dir.resolve("audit-pull");
    pull("audit/app:v1", out).orThrow();
    assertEquals(image.digest(), DirImage.read(out).manifestDigest());
    String audit = Files.readString(auditLog);
    assertTrue(
        audit.contains("\"repository\":\"audit/app\"")
            && audit.contains("\"outcome\":\"audit-would-deny\""),
        audit);
  }

  @Test
  void signedPinKeepsServingTheLastApprovedDigestWhenTheTagMoves() throws Exception {
    OciLayout good = push("pinned/app:v1");
    sign("pinned/app:v1", "release");
    HttpResponse<String> first = Http.get(gateway.url() + "/v2/pinned/app/manifests/v1");
    assertEquals(good.digest(), first.headers().firstValue("Docker-Content-Digest").orElseThrow());

    OciLayout moved = push("pinned/app:v1"); // upstream now points v1 at an unsigned image
    assertFalse(moved.digest().equals(good.digest()));
    HttpResponse<String> after = Http.get(gateway.url() + "/v2/pinned/app/manifests/v1");
    assertEquals(200, after.statusCode(), after.body());
    assertEquals(good.digest(), after.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(
        good.digest(),
        Digest.sha256(after.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(),
        "served bytes are the approved manifest");
  }

  @Test
  void firstSeenRefusesAMovedTag() throws Exception {
    push("tofu/app:v1");
    sign("tofu/app:v1", "release");
    assertEquals(200, Http.get(gateway.url() + "/v2/tofu/app/manifests/v1").statusCode());
    OciLayout moved = push("tofu/app:v1");
    sign("tofu/app:v1", "release"); // even a validly signed new digest needs approval
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/tofu/app/manifests/v1");
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("first seen as") && r.body().contains(moved.digest()), r.body());
  }

  @Test
  void lockfileDecidesWhichDigestATagMeans() throws Exception {
    OciLayout locked = push("locked/app:v1");
    sign("locked/app:v1", "release");
    Signer.cli(
        "pin",
        "--lockfile",
        lockfile.toString(),
        "--repository-path",
        "locked/app",
        "--insecure-registry",
        registry.hostPort(),
        registry.hostPort() + "/locked/app:v1");
    push("locked/app:v1"); // upstream moves the tag; the lockfile does not
    HttpResponse<String> r = Http.get(gateway.url() + "/v2/locked/app/manifests/v1");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(locked.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());

    push("locked/app:v2");
    HttpResponse<String> unpinned = Http.get(gateway.url() + "/v2/locked/app/manifests/v2");
    assertEquals(403, unpinned.statusCode());
    assertTrue(unpinned.body().contains("not in lockfile"), unpinned.body());
  }

  @Test
  void multiArchIndexSignedOnceServesItsChildren() throws Exception {
    OciLayout index = images.buildTwoPlatformIndex(seed);
    seed += 2;
    images.push(index, registry.ref("prod/multi:v1"));
    sign("prod/multi:v1", "release");
    Path out = dir.resolve("multi-pull");
    CommandResult r =
        skopeo.copy("docker://" + gateway.hostPort() + "/prod/multi:v1", "dir:" + out, "--all");
    assertTrue(r.ok(), r.stderr());
    assertEquals(index.digest(), DirImage.read(out).manifestDigest());
  }

  @Test
  void policyReloadTakesEffectAndAnInvalidFileKeepsThePreviousOne() throws Exception {
    Path policyFile = dir.resolve("reload.yaml");
    Files.writeString(
        policyFile,
        "version: 1\npolicies:\n  - {name: strict, scopes: ['**'], mode: enforce, signatures: {anyOf: [{type: cosign, trustStore: k}]}}\ntrustStores:\n  k: {type: cosign, keys: [release.pub]}\n");
    try (GatewayFixture g =
        GatewayFixture.builder(dir.resolve("reload-data"))
            .upstream("internal", registry.url(), "", false)
            .extra("policy: {file: " + policyFile + ", reloadInterval: 100ms}\n")
            .start()) {
      push("reload/app:v1");
      assertEquals(403, Http.get(g.url() + "/v2/reload/app/manifests/v1").statusCode());

      Files.writeString(
          policyFile, "version: 1\npolicies:\n  - {name: relaxed, scopes: ['**'], mode: audit}\n");
      assertEquals(200, awaitStatus(g.url() + "/v2/reload/app/manifests/v1", 200));

      Files.writeString(
          policyFile, "version: 1\npolicies: [{name: broken, scopes: [], mode: sometimes}]\n");
      Thread.sleep(500); // several reload intervals: the broken file must not take effect
      assertEquals(200, Http.get(g.url() + "/v2/reload/app/manifests/v1").statusCode());
    }
  }

  private static int awaitStatus(String url, int wanted) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = Http.get(url).statusCode();
      if (last == wanted) {
        return last;
      }
      Thread.sleep(50);
    }
    return last;
  }

  private static OciLayout push(String repoTag) {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 16 * 1024).seed(seed++).build());
    images.push(image, registry.ref(repoTag));
    return image;
  }

  private static Path copyDirect(String repoTag) {
    Path out = dir.resolve("direct-" + seed++);
    skopeo.copy(registry.ref(repoTag), "dir:" + out).orThrow();
    return out;
  }

  private static void sign(String repoTag, String key) {
    Signer.sign(dir, key, registry, repoTag);
  }

  private static CommandResult pull(String repoTag, Path out) {
    return skopeo.copy("docker://" + gateway.hostPort() + "/" + repoTag, "dir:" + out);
  }
}
