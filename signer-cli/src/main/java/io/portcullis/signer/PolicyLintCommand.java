package io.portcullis.signer;

import io.portcullis.core.policy.PolicyException;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.policy.TrustPolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code policy lint FILE}: loads a trust policy with every check the gateway applies (keys and
 * certificates read, identities parsed, scopes and names unique) and prints a one-line summary, or
 * the first problem as one line naming its key, in the manner of the Notary Project's <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy">trust
 * policy</a> validation.
 */
@Command(
    name = "lint",
    mixinStandardHelpOptions = true,
    description = "Validate a trust policy file; exit 1 with the problem when it is invalid.")
final class PolicyLintCommand implements Callable<Integer> {

  @Parameters(paramLabel = "FILE", description = "The trust policy (YAML).")
  Path file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("policy file " + file + " not found");
    }
    TrustPolicy policy;
    try {
      policy = TrustPolicyLoader.load(file);
    } catch (PolicyException e) {
      spec.commandLine()
          .getErr()
          .println(spec.qualifiedName() + ": " + file + ": " + e.getMessage());
      return ExitCodes.VERIFICATION_FAILED;
    }
    spec.commandLine()
        .getOut()
        .println(
            file
                + ": valid, "
                + count(policy.trustStores().size(), "trust store")
                + ", "
                + count(policy.policies().size(), "policy", "policies")
                + " (revision "
                + policy.revision()
                + ")");
    return ExitCodes.OK;
  }

  private static String count(int n, String one) {
    return count(n, one, one + "s");
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
