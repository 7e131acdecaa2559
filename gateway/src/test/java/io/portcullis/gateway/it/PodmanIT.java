package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.Podman;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RegistryRequest;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's podman 4.3 against a real docker-registry (the origin) and the gateway in front of it,
 * configured with the {@code registries.conf} shipped in {@code deploy/clients/}, only the
 * addresses filled in, over TLS verified against the development root: {@code podman login} with a
 * password on stdin, pulls of a short name and of the origin's own name rewritten to the gateway, a
 * push, a policy denial whose message podman prints, and a push into an enforced repository whose
 * image is pulled only once signed. The origin's access log shows that podman itself never reached
 * it, not even after the gateway's 403; with a mirror-style configuration (the defect the shipped
 * one avoids) it does.
 *
 * <p>Needs root, as podman's root storage and the driver's private mount namespace do: skipped with
 * one line elsewhere, failed when {@code CI=true}.
 */
class PodmanIT {
  static final Credentials DEV = new Credentials("dev", "dev-password-4f1c");

  /**
   * What podman 4.3 run as root creates on the host unless kept off it. (Not {@code
   * /var/lib/containers/cache}: skopeo, run by other tests at the same time, writes there.)
   */
  static final List<String> HOST_PATHS =
      List.of(
          "/var/lib/containers/storage",
          "/var/cache/containers",
          "/dev/shm/libpod_lock",
          "/etc/cni/net.d/cni.lock");

  @TempDir static Path dir;
  static RegistryProcess origin;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static OciLayout signed;
  static Map<String, Boolean> hostPathsBefore;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = Podman.unavailable();
    if (why.isPresent()) {
      if ("true".equals(System.getenv("CI"))) {
        fail("PodmanIT cannot run podman: " + why.get());
      }
      Assumptions.abort("PodmanIT skipped: " + why.get());
    }
    RequiredTools.check("docker-registry", "skopeo", "umoci", "podman", "unshare", "mount");
    hostPathsBefore = hostPaths();
    origin = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    Signer.devPki(dir);
    signed = images.build(ImageSpec.builder().layers(1, 16 * 1024).seed(71).build());
    images.push(signed, origin.ref("team/signed:1"));
    Signer.sign(dir, "release", origin, "team/signed:1");
    images.push(
        images.build(ImageSpec.builder().layers(1, 16 * 1024).seed(72).build()),
        origin.ref("team/unsigned:1"));
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [release.pub]}
        policies:
          - name: signed-only
            scopes: ["team/**", "docker.io/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
        """);
    Path htpasswd = Files.writeString(dir.resolve("htpasswd"), AccessControlIT.entry(DEV));
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .server(
                "  tls: {certFile: %s, keyFile: %s}\n"
                    .formatted(dir.resolve("pki/tls.crt"), dir.resolve("pki/tls.key")))
            .upstream("hub", origin.url(), "docker.io", false)
            .upstream("internal", origin.url(), "", true)
            .extra(
                """
                policy: {file: %s}
                audit: {file: %s}
                auth:
                  htpasswdFile: %s
                  roles:
                    developer: [{repositories: ["**"], actions: [pull, push]}]
                  users: {dev: [developer]}
                """
                    .formatted(dir.resolve("policy.yaml"), dir.resolve("audit.jsonl"), htpasswd))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, origin);
  }

  /**
   * {@code deploy/clients/registries.conf} as an operator installs it: only the gateway's and the
   * private registry's addresses filled in. TLS stays verified ({@code insecure = false}).
   */
  static String shippedRegistriesConf() throws IOException {
    Path root = Path.of(System.getProperty("portcullis.projectRoot", ".."));
    String template = Files.readString(root.resolve("deploy/clients/registries.conf"));
    for (String placeholder : List.of("gateway.example.com:5000", "registry.example.com")) {
      assertTrue(template.contains(placeholder), "the template still has " + placeholder);
    }
    return template
        .replace("gateway.example.com:5000", gateway.hostPort())
        .replace("registry.example.com", origin.hostPort());
  }

  /** podman with the shipped file, trusting the development root for the gateway's address. */
  static Podman shippedPodman() throws IOException {
    return Podman.builder()
        .registriesConf(shippedRegistriesConf())
        .trust(gateway.hostPort(), dir.resolve("pki/root.crt"))
        .build();
  }

  @Test
  void logsInPullsAndPushesThroughTheGatewayOnly() throws Exception {
    int podmanAtOrigin = podmanRequestsAtOrigin().size();
    try (Podman podman = shippedPodman()) {
      CommandResult login = podman.login(gateway.hostPort(), DEV);
      assertTrue(login.ok() && login.stdout().contains("Login Succeeded"), login.describe());
      assertFalse(
          String.join(" ", login.command()).contains(DEV.password()), "never in the arguments");

      // A short name resolves under docker.io, which the shipped file rewrites to the gateway.
      CommandResult shortName = podman.pull("team/signed:1").orThrow();
      assertTrue(
          shortName.stderr().contains("Trying to pull docker.io/team/signed:1"),
          shortName.stderr());
      assertEquals(
          signed.digest(),
          podman.inspect("docker.io/team/signed:1", "{{.Digest}}").orThrow().stdout().strip());

      // The private registry's own name is rewritten to the gateway's default route.
      podman.pull(origin.hostPort() + "/team/signed:1").orThrow();

      // Pushes are never rewritten: they go to the gateway's name, as the README says. (Into an
      // enforced repository too: see the next test.)
      String pushed = gateway.hostPort() + "/ci/pushed:1";
      podman.tag("docker.io/team/signed:1", pushed).orThrow();
      podman.push(pushed, pushed).orThrow();
      assertEquals(200, atOrigin("ci/pushed").statusCode());
    }
    assertEquals(List.of(), podmanRequestsSince(podmanAtOrigin), "podman reached the origin");
    assertEquals(hostPathsBefore, hostPaths(), "the host's container storage is left alone");
  }

  /**
   * What podman pushes into a repository under the enforcing policy is pulled only once signed
   * there (the signature of {@code team/signed} does not count in {@code team/enforced-push}).
   * Pushes under enforce used to fail on podman's blob HEADs before each upload.
   */
  @Test
  void anImagePushedUnderTheEnforcingPolicyIsPulledOnlyOnceSigned() throws Exception {
    int podmanAtOrigin = podmanRequestsAtOrigin().size();
    String pushed = gateway.hostPort() + "/team/enforced-push:1";
    try (Podman podman = shippedPodman()) {
      podman.login(gateway.hostPort(), DEV).orThrow();
      podman.pull("team/signed:1").orThrow();
      podman.tag("docker.io/team/signed:1", pushed).orThrow();
      podman.push(pushed, pushed).orThrow();
      assertEquals(200, atOrigin("team/enforced-push").statusCode(), "the push reached the origin");

      CommandResult denied = podman.pull(pushed);
      assertFalse(denied.ok(), denied.describe());
      assertTrue(
          denied.stderr().contains("denied: denied by policy 'signed-only'"), denied.stderr());

      Signer.sign(dir, "release", origin, "team/enforced-push:1");
      // A refusal is remembered for some seconds: the signature counts once it is re-checked.
      long deadline = System.nanoTime() + 40_000_000_000L;
      CommandResult allowed = podman.pull(pushed);
      while (!allowed.ok()) {
        assertTrue(
            System.nanoTime() < deadline, "the signed image is pulled: " + allowed.describe());
        assertTrue(allowed.stderr().contains("denied by policy"), allowed.stderr());
        Thread.sleep(500);
        allowed = podman.pull(pushed);
      }
    }
    assertEquals(List.of(), podmanRequestsSince(podmanAtOrigin), "podman reached the origin");
  }

  private static HttpResponse<String> atOrigin(String repository) throws Exception {
    return Http.get(
        origin.url() + "/v2/" + repository + "/manifests/1",
        "Accept",
        MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void theGatewaysCertificateIsVerified() throws Exception {
    try (Podman untrusting = Podman.builder().registriesConf(shippedRegistriesConf()).build()) {
      CommandResult login = untrusting.login(gateway.hostPort(), DEV);
      assertFalse(login.ok(), login.describe());
      assertTrue(login.stderr().contains("certificate"), login.stderr());
    }
  }

  @Test
  void aDenialIsFinalAndPodmanPrintsIt() throws Exception {
    int podmanAtOrigin = podmanRequestsAtOrigin().size();
    try (Podman podman = shippedPodman()) {
      podman.login(gateway.hostPort(), DEV).orThrow();
      for (String ref : List.of(origin.hostPort() + "/team/unsigned:1", "team/unsigned:1")) {
        CommandResult denied = podman.pull(ref);
        assertFalse(denied.ok(), denied.describe());
        assertTrue(
            denied.stderr().contains("denied: denied by policy 'signed-only'"), denied.stderr());
        assertTrue(denied.stderr().contains("release-keys"), denied.stderr());
      }
    }
    assertEquals(List.of(), podmanRequestsSince(podmanAtOrigin), "no fallback to the origin");
  }

  /**
   * The defect the shipped file avoids, shown with the same podman: the gateway as a {@code
   * [[registry.mirror]]} of the origin. After the gateway's 403 podman fetches the unsigned image
   * from the origin itself, and the pull succeeds past the policy. This is also what proves the
   * origin's access log would show a fallback in the tests above.
   */
  @Test
  void withTheGatewayAsAMirrorPodmanFallsBackToTheOrigin() throws Exception {
    int podmanAtOrigin = podmanRequestsAtOrigin().size();
    String mirror =
        """
        unqualified-search-registries = []
        [[registry]]
        prefix = "%1$s"
        location = "%1$s"
        insecure = true
        [[registry.mirror]]
        location = "%2$s"
        """
            .formatted(origin.hostPort(), gateway.hostPort());
    try (Podman podman =
        Podman.builder()
            .registriesConf(mirror)
            .trust(gateway.hostPort(), dir.resolve("pki/root.crt"))
            .build()) {
      podman.login(gateway.hostPort(), DEV).orThrow();
      podman.pull(origin.hostPort() + "/team/unsigned:1").orThrow();
    }
    List<RegistryRequest> direct = podmanRequestsSince(podmanAtOrigin);
    assertTrue(
        direct.stream().anyMatch(r -> r.path().equals("/v2/team/unsigned/manifests/1")),
        "podman fetched the denied manifest from the origin: " + direct);
  }

  private static List<RegistryRequest> podmanRequestsAtOrigin() {
    return origin.requestsFrom(Podman.USER_AGENT);
  }

  private static List<RegistryRequest> podmanRequestsSince(int count) {
    List<RegistryRequest> all = podmanRequestsAtOrigin();
    return all.subList(Math.min(count, all.size()), all.size());
  }

  private static Map<String, Boolean> hostPaths() {
    return HOST_PATHS.stream()
        .collect(Collectors.toMap(Function.identity(), p -> Files.exists(Path.of(p))));
  }
}
