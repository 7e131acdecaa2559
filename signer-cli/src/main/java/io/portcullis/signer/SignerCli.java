package io.portcullis.signer;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of {@code portcullis-signer}: keys, dev PKI, sign, attest, verify. Signatures follow
 * <a href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign's signature
 * spec</a> or the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md">Notary
 * Project signature spec</a>.
 *
 * <p>Exit codes are in {@link ExitCodes}. Build the command line with {@link #commandLine()} so the
 * error handling and exit codes are wired in.
 */
@Command(
    name = "portcullis-signer",
    mixinStandardHelpOptions = true,
    version = "portcullis-signer 0.1.0",
    description = "Sign, attest and verify container images (cosign and Notary Project formats).",
    subcommands = {
      KeygenCommand.class,
      CertsCommand.class,
      SignCommand.class,
      AttestCommand.class,
      PinCommand.class,
      VerifyCommand.class,
      VerifyBundleCommand.class,
      PolicyCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:verification failed",
      "2:usage error",
      "3:could not verify (registry unreachable, image missing, ...)"
    })
public final class SignerCli implements Callable<Integer> {

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print stack traces with errors.")
  boolean debug;

  @Override
  public Integer call() {
    throw new UsageException("a command is required");
  }

  /** The command line with this CLI's error reporting and exit codes. */
  public static CommandLine commandLine() {
    ErrorReporter reporter = new ErrorReporter();
    return new CommandLine(new SignerCli())
        .setExecutionExceptionHandler(reporter)
        .setParameterExceptionHandler(reporter);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
