package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.registry.ImageReference;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code verify --dct-*} arguments refused before any server is asked, and the defaults. */
class DctOptionsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--dct-roles targets reg.example/app:1 | the --dct-* options need --dct-server URL",
        "--dct-check-registry reg.example/app:1 | need --dct-server",
        "--dct-server http://notary.example reg.example/app:1 | must be an https URL",
        "--dct-server https://u:pw@notary.example reg.example/app:1 | takes no user info",
        "--dct-server https://notary.example --dct-roles releases reg.example/app:1"
            + " | 'releases' is not a targets role",
        "--dct-server https://notary.example --dct-root-key /nonexistent/root.pem"
            + " reg.example/app:1 | cannot read --dct-root-key /nonexistent/root.pem",
        "--dct-server https://notary.example --dct-ca-file /nonexistent/ca.pem"
            + " reg.example/app:1 | cannot read --dct-ca-file",
        "--dct-server https://notary.example --dct-credentials-file /nonexistent/creds"
            + " reg.example/app:1 | cannot read --dct-credentials-file",
        "--dct-server https://notary.example --key k.pub reg.example/app:1"
            + " | --dct-server verifies Docker Content Trust alone",
        "--dct-server https://notary.example --policy p.yaml reg.example/app:1"
            + " | --dct-server verifies Docker Content Trust alone",
        "--dct-server https://notary.example reg.example/App:1 | invalid IMAGE",
        "--dct-server https://notary.example --dct-gun {registry}/{repository} reg.example/app:1"
            + " | --dct-gun: GUN template '{registry}/{repository}' has {registry}",
        "--dct-gun notary.corp/{repository} reg.example/app:1 | need --dct-server",
      })
  void badArgumentsAreUsageErrorsOnOneLine(String args, String message) {
    CliRun run = CliRun.of(("verify " + args).split(" "));
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), run.toString());
    assertEquals(1, run.errLines(), run.toString());
  }

  @Test
  void defaults() {
    DctOptions options = new DctOptions();
    options.server = URI.create("https://notary.example:4443/");
    assertEquals(URI.create("https://notary.example:4443"), options.server());
    assertEquals(DctVerifier.DOCKER_ROLES, options.roles());
    assertEquals(
        Path.of("/cfg/portcullis/dct-trust"), options.trustDir(Map.of("XDG_CONFIG_HOME", "/cfg")));
    assertEquals(
        Path.of(System.getProperty("user.home"), ".config/portcullis/dct-trust"),
        options.trustDir(Map.of()));
    assertEquals("docker.io/library/alpine", options.gun(ImageReference.parse("alpine:3")).value());
    assertEquals(
        "registry.corp:5000/team/app",
        options.gun(ImageReference.parse("registry.corp:5000/team/app:1")).value());
    options.gunTemplate = "notary.corp/{repository}";
    assertEquals(
        "notary.corp/team/app",
        options.gun(ImageReference.parse("registry.corp:5000/team/app:1")).value());
    options.roles = List.of("targets", "targets/releases");
    assertEquals(List.of("targets", "targets/releases"), options.roles());
  }
}
