package io.portcullis.signer;

import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.registry.RegistryException;
import io.portcullis.core.sigstore.RekorClient;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns failures into one line on stderr and an exit code. Stack traces only with {@code --debug}:
 * a release engineer needs to know what to fix, not where in the code it broke.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    cmd.getErr()
        .println(
            cmd.getCommandSpec().qualifiedName()
                + ": "
                + ex.getMessage()
                + " (see "
                + cmd.getCommandSpec().qualifiedName()
                + " --help)");
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    int code = exitCodeOf(ex);
    String prefix = cmd.getCommandSpec().qualifiedName() + ": ";
    String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    if (code == ExitCodes.COULD_NOT_VERIFY
        && !(ex instanceof RegistryException)
        && !(ex instanceof RekorClient.RekorException)) {
      message = "internal error: " + message + " (--debug shows details)";
    }
    err.println(prefix + message);
    if (debug(parsed)) {
      ex.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  static int exitCodeOf(Exception ex) {
    if (ex instanceof UsageException
        || ex instanceof InvalidReferenceException
        || ex instanceof NoSuchFileException
        || ex instanceof UncheckedIOException u && u.getCause() instanceof NoSuchFileException) {
      return ExitCodes.USAGE;
    }
    if (ex instanceof VerificationFailedException) {
      return ExitCodes.VERIFICATION_FAILED;
    }
    return ExitCodes.COULD_NOT_VERIFY;
  }

  private static boolean debug(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--debug")) {
        return true;
      }
    }
    return false;
  }
}
