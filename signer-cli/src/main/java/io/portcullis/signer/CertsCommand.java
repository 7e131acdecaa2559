package io.portcullis.signer;

import picocli.CommandLine.Command;

/** {@code certs}: certificate helpers; today only {@code certs dev}. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Certificate helpers.",
    subcommands = {CertsDevCommand.class})
final class CertsCommand implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("a certs command is required, e.g. 'certs dev --out DIR'");
  }
}
