package io.portcullis.signer;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code policy}: work with trust policy files (schema: {@code trust-policies/README.md}). */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Work with trust policy files.",
    subcommands = {PolicyLintCommand.class})
final class PolicyCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("a subcommand is required: lint");
  }
}
