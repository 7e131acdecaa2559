package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Argument handling, help and exit codes that need no registry. */
class SignerCliTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "keygen",
        "certs",
        "certs dev",
        "sign",
        "attest",
        "verify",
        "verify-bundle",
        "pin",
        "policy",
        "policy lint"
      })
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").strip().split(" ");
    CliRun run = CliRun.of(args);
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(
        run.out().startsWith(("Usage: portcullis-signer " + command).strip()), run.toString());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "sign --bogus reg.example/app | Unknown option",
        "verify | Missing required parameter: 'IMAGE'",
        "keygen | Missing required option: '--out=PREFIX'",
        "certs dev | Missing required option: '--out=DIR'",
        "attest --key k --predicate p reg.example/app | Missing required option: '--type=TYPE'",
        "sign --format gpg reg.example/app | Invalid value for option '--format'",
        "nosuchcommand | Unmatched argument at index 0: 'nosuchcommand'",
        " | a command is required",
        "certs | a certs command is required",
      })
  void badArgumentsAreUsageErrorsOnOneLine(String args, String message) {
    CliRun run = CliRun.of(args == null ? new String[0] : args.strip().split(" "));
    assertEquals(ExitCodes.USAGE, run.exitCode(), run.toString());
    assertTrue(run.err().contains(message), run.toString());
    assertEquals(1, run.errLines(), run.toString());
    assertTrue(run.err().contains("portcullis-signer"), "names the command: " + run);
  }

  @org.junit.jupiter.api.Test
  void stackTracesOnlyWithDebug() {
    CliRun plain = CliRun.of("verify", "--key", "/nonexistent/cosign.pub", "reg.example/app");
    assertEquals(ExitCodes.USAGE, plain.exitCode(), plain.toString());
    assertEquals(1, plain.errLines(), plain.toString());
    assertTrue(plain.err().contains("cannot read --key /nonexistent/cosign.pub"), plain.toString());

    CliRun debug =
        CliRun.of("verify", "--debug", "--key", "/nonexistent/cosign.pub", "reg.example/app");
    assertEquals(ExitCodes.USAGE, debug.exitCode(), debug.toString());
    assertTrue(debug.err().contains("\tat io.portcullis.signer."), debug.toString());
  }

  @org.junit.jupiter.api.Test
  void verifyNeedsExactlyOneTrustSource() {
    CliRun neither = CliRun.of("verify", "reg.example/app");
    assertEquals(ExitCodes.USAGE, neither.exitCode(), neither.toString());
    assertTrue(neither.err().contains("either --key PUB"), neither.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "vuln, https://cosign.sigstore.dev/attestation/vuln/v1",
    "slsaprovenance, https://slsa.dev/provenance/v0.2",
    "slsaprovenance1, https://slsa.dev/provenance/v1",
    "custom, https://cosign.sigstore.dev/attestation/v1",
    "https://example.com/p/v1, https://example.com/p/v1",
  })
  void attestationTypesMapAsCosignMapsThem(String type, String uri) {
    assertEquals(uri, AttestCommand.predicateType(type));
  }
}
