package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code policy lint} refuses a keyless requirement without identities, saying why (anyone can get
 * a Fulcio certificate), and accepts one with identities against the shipped public-good root.
 */
class PolicyLintKeylessTest {
  @TempDir Path dir;

  private static final String HEAD =
      "version: 1\ntrustStores:\n  public-good: {type: sigstore}\npolicies:\n"
          + "  - name: upstream\n    scopes: ['**']\n    signatures:\n      anyOf:\n";

  @Test
  void keylessWithoutIdentitiesIsRefusedSayingWhy() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("p.yaml"), HEAD + "        - {type: cosign, trustStore: public-good}\n");
    CliRun run = CliRun.of("policy", "lint", file.toString());
    assertEquals(1, run.exitCode(), run.toString());
    assertEquals(1, run.errLines(), run.toString());
    assertTrue(
        run.err()
            .contains(
                "policies[0].signatures.anyOf[0].identities: is required; a sigstore store"
                    + " verifies keyless signatures, and anyone can get a Fulcio certificate"),
        run.toString());
  }

  @Test
  void keylessWithIdentitiesLints() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("p.yaml"),
            HEAD
                + "        - {type: cosign, trustStore: public-good, identities: [{issuer:"
                + " https://token.actions.githubusercontent.com, subjectRegExp:"
                + " '^https://github\\.com/myorg/'}]}\n");
    CliRun run = CliRun.of("policy", "lint", file.toString());
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains(": valid, 1 trust store, 1 policy"), run.toString());
  }
}
