package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.testing.RedirectingUpstream;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Teardown;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that answers with redirects cannot turn the gateway against the networks it sits in.
 * Behind one gateway: a private registry P (Debian's docker-registry), an honest one H, and two
 * hostile upstreams (fakes that redirect every blob and manifest GET where the test says), one
 * reached on the machine's own non-loopback address and one on loopback. A redirect to P's or H's
 * origin, to a loopback service, or to the cloud metadata address is refused with a 502 naming the
 * upstream and why, and none of P's bytes come back (on a gateway that follows any redirect, P's
 * private blob and manifest do). A redirect from the loopback upstream to a "CDN" on loopback (same
 * kind of address, not another upstream) is followed, without the upstream's credentials.
 */
class UpstreamRedirectIT {
  private static final String SECRET = "PRIVATE-LAYER-of-team/secret-";

  @TempDir static Path dir;
  static RegistryProcess privateRegistry;
  static RegistryProcess honestRegistry;
  static RedirectingUpstream hostile;
  static RedirectingUpstream hostileOnLoopback;
  static RedirectingUpstream cdn;
  static RedirectingUpstream loopbackService;
  static GatewayFixture gateway;
  static Digest secretLayer;
  static String secretManifest;
  static byte[] cdnBlob;
  static Digest cdnDigest;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry");
    Optional<InetAddress> own = nonLoopbackAddress();
    assumeTrue(own.isPresent(), "the machine has no non-loopback IPv4 address to serve from");
    privateRegistry = RegistryProcess.start();
    honestRegistry = RegistryProcess.start();
    byte[] layer = (SECRET + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    Forgery.uploadBlob(privateRegistry.url(), "team/secret", layer);
    Forgery.uploadBlob(privateRegistry.url(), "team/secret", config);
    secretLayer = Digest.sha256(layer);
    Forgery.Blob configBlob =
        new Forgery.Blob(MediaTypes.OCI_CONFIG, Digest.sha256(config).toString(), config.length);
    Forgery.Blob layerBlob =
        new Forgery.Blob(MediaTypes.OCI_LAYER_GZIP, secretLayer.toString(), layer.length);
    byte[] manifest = Forgery.manifest(configBlob, List.of(layerBlob), null, null);
    Forgery.putManifest(privateRegistry.url(), "team/secret", "v1", manifest);
    secretManifest = new String(manifest, StandardCharsets.UTF_8);

    hostile = RedirectingUpstream.on(own.get());
    hostileOnLoopback = RedirectingUpstream.onLoopback();
    cdn = RedirectingUpstream.onLoopback();
    loopbackService = RedirectingUpstream.onLoopback();
    loopbackService.serve(
        "/v2/team/secret/manifests/v1", "internal-admin-answer".getBytes(StandardCharsets.UTF_8));
    cdnBlob =
        ("public layer served by a CDN " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
    cdnDigest = Digest.sha256(cdnBlob);
    cdn.serve("/cdn/v2/team/app/blobs/" + cdnDigest, cdnBlob);

    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("private", privateRegistry.url(), "private", false)
            .upstream("honest", honestRegistry.url(), "honest", false)
            .upstream("hostile", hostile.url(), "hostile", false)
            .upstream("hostile-lo", hostileOnLoopback.url(), "hostile-lo", false)
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, hostile, hostileOnLoopback, cdn, loopbackService);
    Teardown.closeAll(privateRegistry, honestRegistry);
  }

  /** The first up, non-loopback, non-link-local IPv4 address of this machine. */
  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static HttpResponse<String> blob(String prefix) throws Exception {
    return Http.get(gateway.url() + "/v2/" + prefix + "/team/secret/blobs/" + secretLayer);
  }

  private static HttpResponse<String> manifest(String prefix) throws Exception {
    return gateway.manifest(prefix + "/team/secret", "v1");
  }

  /** A 502 whose message names the upstream, the host and {@code why}; never P's bytes. */
  private static void assertRefused(HttpResponse<String> r, String upstream, String why) {
    assertEquals(502, r.statusCode(), r.body());
    assertEquals("UNAVAILABLE", Http.errorCode(r), r.body());
    assertTrue(r.body().contains("upstream '" + upstream + "' redirected to "), r.body());
    assertTrue(r.body().contains(why), r.body());
    assertFalse(r.body().contains(SECRET), r.body());
    assertFalse(r.body().contains("internal-admin-answer"), r.body());
    assertFalse(r.body().contains(RedirectingUpstream.SIGNED_QUERY), r.body());
  }

  @ParameterizedTest(name = "redirect status {0}")
  @ValueSource(ints = {301, 302, 303, 307, 308})
  void aBlobRedirectToThePrivateUpstreamIsRefused(int status) throws Exception {
    hostile.redirectTo(status, privateRegistry.url());
    long before = privateRegistry.blobGets();
    assertRefused(blob("hostile"), "hostile", "another upstream's origin");
    assertEquals(before, privateRegistry.blobGets(), "the private registry was never asked");
  }

  @Test
  void aManifestRedirectToThePrivateUpstreamIsRefused() throws Exception {
    hostile.redirectTo(307, privateRegistry.url());
    HttpResponse<String> r = manifest("hostile");
    assertRefused(r, "hostile", "another upstream's origin");
    assertFalse(r.body().contains(secretLayer.toString()), r.body());
  }

  @Test
  void aRedirectToAnotherUpstreamByAnotherNameForItsAddressIsRefused() throws Exception {
    // localhost is not how P is configured (127.0.0.1), but it is P's address and port.
    hostileOnLoopback.redirectTo(307, "http://localhost:" + privateRegistry.port());
    assertRefused(blob("hostile-lo"), "hostile-lo", "another upstream's origin");
    assertRefused(manifest("hostile-lo"), "hostile-lo", "another upstream's origin");
    hostileOnLoopback.redirectTo(307, honestRegistry.url());
    assertRefused(blob("hostile-lo"), "hostile-lo", "another upstream's origin");
  }

  @Test
  void aRedirectToALoopbackServiceIsRefused() throws Exception {
    hostile.redirectTo(307, loopbackService.url());
    assertRefused(manifest("hostile"), "hostile", "a loopback address");
    assertRefused(blob("hostile"), "hostile", "a loopback address");
    assertEquals(List.of(), loopbackService.received(), "the loopback service was never reached");
  }

  @Test
  void aRedirectToTheCloudMetadataAddressIsRefused() throws Exception {
    for (RedirectingUpstream upstream : List.of(hostile, hostileOnLoopback)) {
      upstream.redirectTo(302, "http://169.254.169.254/latest/meta-data");
    }
    assertRefused(manifest("hostile"), "hostile", "a cloud metadata address");
    assertRefused(blob("hostile-lo"), "hostile-lo", "a cloud metadata address");
  }

  @Test
  void aRedirectToACdnOfTheSameKindOfAddressIsFollowedWithoutCredentials() throws Exception {
    hostileOnLoopback.redirectTo(307, cdn.url() + "/cdn");
    HttpResponse<byte[]> r =
        Http.getBytes(gateway.url() + "/v2/hostile-lo/team/app/blobs/" + cdnDigest);
    assertEquals(200, r.statusCode());
    assertArrayEquals(cdnBlob, r.body());
    List<RedirectingUpstream.Received> atCdn = cdn.received();
    assertFalse(atCdn.isEmpty(), "the CDN was asked");
    assertTrue(atCdn.stream().noneMatch(RedirectingUpstream.Received::authorized), atCdn::toString);
  }
}
