package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.pin.Lockfile;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pin} end to end against a real docker-registry: images built with umoci and pushed with
 * skopeo, so the digests the files and lockfile end up with are the ones skopeo pushed.
 */
class PinIT {
  static RegistryProcess registry;
  static Skopeo skopeo;
  static TestImages images;
  static String host;
  static OciLayout base;
  static OciLayout app;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    registry = RegistryProcess.start();
    host = registry.hostPort();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    base = images.build(ImageSpec.builder().layers(1, 2048).seed(31).build());
    app = images.build(ImageSpec.builder().layers(2, 1024).seed(32).user("1000").build());
    push(base, "library/base:3.20");
    push(app, "team/app:1.4");
    push(app, "team/app:init");
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, registry);
  }

  static void push(OciLayout layout, String repoAndTag) {
    images.push(layout, registry.ref(repoAndTag), "--dest-tls-verify=false");
  }

  static CliRun pin(String... args) {
    List<String> all = new ArrayList<>(List.of("pin", "--insecure-registry=" + host));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(String[]::new));
  }

  /** {@code pin --lockfile LOCKFILE ARGS...} */
  static CliRun pinTo(Path lockfile, String... args) {
    List<String> all = new ArrayList<>(List.of("--lockfile", lockfile.toString()));
    all.addAll(List.of(args));
    return pin(all.toArray(String[]::new));
  }

  @Test
  void pinWritesTheLockfileWithThePushedDigests() {
    Path lockfile = dir.resolve("portcullis.lock.yaml");

    CliRun run =
        pinTo(
            lockfile,
            "--comment",
            "release 1.4",
            host + "/team/app:1.4",
            host + "/library/base:3.20");

    assertEquals(0, run.exitCode(), run.toString());
    Lockfile lock = Lockfile.load(lockfile);
    assertEquals(Digest.parse(app.digest()), lock.lookup("team/app", "1.4").orElseThrow());
    assertEquals(Digest.parse(base.digest()), lock.lookup("library/base", "3.20").orElseThrow());
    assertEquals("release 1.4", lock.pin("team/app", "1.4").orElseThrow().comment().orElseThrow());
    assertTrue(lock.pin("team/app", "1.4").orElseThrow().pinnedAt().isPresent());

    // pinning again changes nothing, so the file (and its pinnedAt) stays as it was
    String before = read(lockfile);
    CliRun again = pinTo(lockfile, host + "/team/app:1.4");
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("unchanged team/app:1.4"), again.toString());
    assertEquals(before, read(lockfile));
  }

  @Test
  void repositoryPathNamesTheGatewayKey() {
    Path lockfile = dir.resolve("pins.yaml");

    CliRun run =
        pinTo(lockfile, "--repository-path", "docker.io/library/base", host + "/library/base:3.20");

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(
        Digest.parse(base.digest()),
        Lockfile.load(lockfile).lookup("docker.io/library/base", "3.20").orElseThrow());
  }

  @Test
  void unknownTagExitsOneAndLeavesTheLockfileAlone() throws IOException {
    Path lockfile = dir.resolve("pins.yaml");
    assertEquals(0, pinTo(lockfile, host + "/team/app:1.4").exitCode());
    String before = read(lockfile);

    CliRun run = pinTo(lockfile, host + "/library/base:3.20", host + "/team/app:9.9");

    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(
        run.err().contains("cannot pin " + host + "/team/app:9.9: tag not found"), run.toString());
    assertEquals(before, read(lockfile));
    assertFalse(Lockfile.load(lockfile).lookup("library/base", "3.20").isPresent());
  }

  @Test
  void rewritesDockerfileComposeAndKubernetesToTheExactDigests() throws IOException {
    Path dockerfile =
        write(
            "Dockerfile",
            "# syntax=docker/dockerfile:1\r\n"
                + "ARG BASE="
                + host
                + "/library/base:3.20\r\n"
                + "FROM --platform=$BUILDPLATFORM "
                + host
                + "/library/base:3.20 AS build\r\n"
                + "FROM ${BASE} AS via-arg\r\n"
                + "FROM build AS test\r\n"
                + "FROM "
                + host
                + "/team/app:1.4\r\n");
    Path compose =
        write(
            "compose.yaml",
            "services:\n"
                + "  app:\n"
                + "    image: \""
                + host
                + "/team/app:1.4\"  # the app\n"
                + "  base:\n"
                + "    image: '"
                + host
                + "/library/base:3.20'\n");
    Path k8s =
        write(
            "deploy.yaml",
            "apiVersion: v1\nkind: Pod\nspec:\n"
                + "  initContainers:\n"
                + "    - name: init\n"
                + "      image: "
                + host
                + "/team/app:init\n"
                + "  containers:\n"
                + "    - name: app\n"
                + "      image: "
                + host
                + "/team/app:1.4 # pinned by CI\n"
                + "---\n"
                + "apiVersion: v1\nkind: Pod\nspec:\n"
                + "  containers:\n"
                + "    - {name: base, image: "
                + host
                + "/library/base:3.20}\n");
    String a = "@" + app.digest();
    String b = "@" + base.digest();

    CliRun run = pin("--rewrite", dockerfile.toString(), compose.toString(), k8s.toString());

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(
        "# syntax=docker/dockerfile:1\r\n"
            + "ARG BASE="
            + host
            + "/library/base:3.20\r\n"
            + "FROM --platform=$BUILDPLATFORM "
            + host
            + "/library/base:3.20"
            + b
            + " AS build\r\n"
            + "FROM ${BASE} AS via-arg\r\n"
            + "FROM build AS test\r\n"
            + "FROM "
            + host
            + "/team/app:1.4"
            + a
            + "\r\n",
        read(dockerfile));
    assertEquals(
        "services:\n"
            + "  app:\n"
            + "    image: \""
            + host
            + "/team/app:1.4"
            + a
            + "\"  # the app\n"
            + "  base:\n"
            + "    image: '"
            + host
            + "/library/base:3.20"
            + b
            + "'\n",
        read(compose));
    String k8sText = read(k8s);
    assertTrue(k8sText.contains("image: " + host + "/team/app:init" + a + "\n"), k8sText);
    assertTrue(
        k8sText.contains("image: " + host + "/team/app:1.4" + a + " # pinned by CI\n"), k8sText);
    assertTrue(k8sText.contains("image: " + host + "/library/base:3.20" + b + "}\n"), k8sText);
    assertTrue(
        run.out().contains(dockerfile + ":4: left ${BASE}: uses a variable"), run.toString());
    assertTrue(
        run.out()
            .contains(compose + ":3: " + host + "/team/app:1.4 -> " + host + "/team/app:1.4" + a),
        run.toString());
    assertTrue(run.out().contains("pinned 7 reference(s) in 3 of 3 file(s)"), run.toString());

    // everything is pinned now: a second run changes nothing, --update finds every pin current
    CliRun again =
        pin("--rewrite", "--update", dockerfile.toString(), compose.toString(), k8s.toString());
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("pinned 0 reference(s) in 0 of 3 file(s)"), again.toString());
  }

  @Test
  void dryRunPrintsTheDiffAndWritesNothing() throws IOException {
    String original = "FROM " + host + "/team/app:1.4 AS app\n";
    Path dockerfile = write("Dockerfile", original);

    CliRun run = pin("--rewrite", "--dry-run", dockerfile.toString());

    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(original, read(dockerfile));
    assertTrue(
        run.out()
            .contains(
                "--- "
                    + dockerfile
                    + "\n+++ "
                    + dockerfile
                    + "\n@@ -1 +1 @@\n"
                    + "-FROM "
                    + host
                    + "/team/app:1.4 AS app\n"
                    + "+FROM "
                    + host
                    + "/team/app:1.4@"
                    + app.digest()
                    + " AS app\n"),
        run.toString());
  }

  @Test
  void updateRepinsATagThatMoved() throws IOException {
    push(base, "moving/app:stable");
    Path compose =
        write("compose.yaml", "services:\n  a:\n    image: " + host + "/moving/app:stable\n");
    assertEquals(0, pin("--rewrite", compose.toString()).exitCode());
    assertTrue(read(compose).contains("@" + base.digest()));
    push(app, "moving/app:stable");

    CliRun quiet = pin("--rewrite", compose.toString());
    assertEquals(0, quiet.exitCode(), quiet.toString());
    assertTrue(read(compose).contains("@" + base.digest()), "without --update a pin is left alone");

    CliRun update = pin("--rewrite", "--update", compose.toString());
    assertEquals(0, update.exitCode(), update.toString());
    assertEquals(
        "services:\n  a:\n    image: " + host + "/moving/app:stable@" + app.digest() + "\n",
        read(compose));
  }

  @Test
  void unknownTagExitsOneAndNoFileIsChanged() throws IOException {
    String good = "FROM " + host + "/team/app:1.4\n";
    String bad = "services:\n  a:\n    image: " + host + "/team/app:no-such-tag\n";
    Path dockerfile = write("Dockerfile", good);
    Path compose = write("compose.yaml", bad);

    CliRun run = pin("--rewrite", dockerfile.toString(), compose.toString());

    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(
        run.err()
            .contains(compose + ":3: cannot pin " + host + "/team/app:no-such-tag: tag not found"),
        run.toString());
    assertEquals(good, read(dockerfile));
    assertEquals(bad, read(compose));
  }

  Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
