package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.testkit.RegistryProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar through the wrapper script, as a release engineer runs it. */
class PackagedJarIT {
  @TempDir Path dir;

  record Result(int exitCode, String out, String err) {}

  static Path projectRoot() {
    String root = System.getProperty("portcullis.projectRoot");
    return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
  }

  Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(projectRoot().resolve("signer-cli/bin/portcullis-signer").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
    builder.environment().put("DOCKER_CONFIG", dir.resolve("docker").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "CLI finished");
    return new Result(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void keygenSignVerifyThroughTheWrapper() throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      String host = registry.hostPort();
      RegistryClient client =
          RegistryClient.create(
              new RegistryClientConfig(null, Set.of(host), Duration.ofSeconds(10)));
      RemoteRepository repo = RemoteRepository.of(host, "jar/app");
      Descriptor config =
          client.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
      client.pushManifest(
          repo,
          Reference.of(Tag.of("v1")),
          ManifestCodec.write(
              new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(), null, null)),
          MediaTypes.OCI_MANIFEST);
      String image = host + "/jar/app:v1";
      Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");
      String prefix = dir.resolve("release").toString();

      Result keygen = run("keygen", "--password-file", password.toString(), "--out", prefix);
      assertEquals(0, keygen.exitCode(), keygen.toString());
      Result sign =
          run(
              "sign",
              "--insecure-registry",
              host,
              "--password-file",
              password.toString(),
              "--key",
              prefix + ".key",
              image);
      assertEquals(0, sign.exitCode(), sign.toString());
      Result verify = run("verify", "--insecure-registry", host, "--key", prefix + ".pub", image);
      assertEquals(0, verify.exitCode(), verify.toString());
      assertTrue(verify.out().contains("VERIFIED"), verify.toString());
      Result bundle =
          run(
              "sign",
              "--format",
              "sigstore-bundle",
              "--insecure-registry",
              host,
              "--password-file",
              password.toString(),
              "--key",
              prefix + ".key",
              image);
      assertEquals(0, bundle.exitCode(), bundle.toString());
      Result both = run("verify", "--insecure-registry", host, "--key", prefix + ".pub", image);
      assertTrue(both.out().contains("VERIFIED: 2 of 2"), both.toString());

      Result noConsole = run("keygen", "--out", dir.resolve("other").toString());
      assertEquals(ExitCodes.USAGE, noConsole.exitCode(), noConsole.toString());
      assertEquals(1, noConsole.err().lines().count(), "one line, no stack trace: " + noConsole);
      assertTrue(!sign.out().contains("s3cret") && !sign.err().contains("s3cret"));
    }
  }

  /** The shipped public-good trusted root is in the jar: verify-bundle needs no file and no net. */
  @Test
  void verifyBundleUsesTheRootShippedInTheJar() throws Exception {
    Result run =
        run(
            "verify-bundle",
            "--bundle",
            SigstoreFixtures.bundle("bundle.v3.sigstore"),
            "--certificate-identity",
            VerifyBundleCommandTest.APPU,
            "--certificate-oidc-issuer",
            VerifyBundleCommandTest.GOOGLE,
            SigstoreFixtures.artifact());
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().startsWith("OK: sigstore bundle v0.3 verified"), run.toString());
  }
}
