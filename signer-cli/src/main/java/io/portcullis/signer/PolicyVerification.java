package io.portcullis.signer;

import io.portcullis.core.policy.CheckResult;
import io.portcullis.core.policy.Evidence;
import io.portcullis.core.policy.Mode;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.core.policy.PolicyEvaluator;
import io.portcullis.core.policy.PolicyException;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.policy.TrustPolicyLoader;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.sigstore.TufTrustedRootSource;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code verify --policy FILE IMAGE}: the gateway's decision, made from the command line with the
 * same {@link PolicyEvaluator}. The policy is chosen by the image's repository path without the
 * registry host (or {@code --scope-path}); exit 0 when allowed, 1 when denied, 3 when the registry
 * could not be asked.
 */
final class PolicyVerification {
  private final Path policyFile;
  private final String scopePath;
  private final Path dctTrustDir;
  private final PrintWriter out;

  PolicyVerification(Path policyFile, String scopePath, Path dctTrustDir, PrintWriter out) {
    this.policyFile = policyFile;
    this.scopePath = scopePath;
    this.dctTrustDir = dctTrustDir;
    this.out = out;
  }

  int run(RegistryClient client, String image) {
    TrustPolicy trust = load();
    // fetched once: the bytes pin the digest and are the manifest the config rules read
    ResolvedImage.Fetched fetched = ResolvedImage.fetch(client, image);
    ResolvedImage target = fetched.image();
    String path = scopePath != null ? scopePath : target.requested().repository().name().value();
    out.println("image " + target.pinned());
    Optional<Policy> chosen = trust.policyFor(path);
    if (chosen.isEmpty()) {
      out.println(
          "DENIED: no policy in "
              + policyFile
              + " applies to '"
              + path
              + "' — add a policy whose scopes match it (e.g. '**')");
      out.flush();
      return ExitCodes.VERIFICATION_FAILED;
    }
    Policy policy = chosen.get();
    out.println(
        "policy '"
            + policy.name()
            + "' ("
            + policy.mode().name().toLowerCase(java.util.Locale.ROOT)
            + ") for '"
            + path
            + "' from "
            + policyFile
            + " revision "
            + trust.revision());
    PolicyEvidence collector = new PolicyEvidence(client);
    Evidence evidence =
        collector.collect(
            fetched,
            path,
            policy,
            new PolicyDct(dctTrustDir, Clock.systemUTC()).collect(trust, policy, target));
    for (String note : collector.notes()) {
      out.println("NOTE " + note);
    }
    PolicyDecision decision =
        new PolicyEvaluator(trust, Clock.systemUTC()).evaluate(policy, evidence);
    for (CheckResult check : decision.checks()) {
      out.println(check.outcome() + " " + check.check() + ": " + check.reason());
    }
    boolean allowed = decision.allowed();
    String message = decision.message();
    // a pull by digest never asks for a tag, so only a tag-only reference is held to tag rules
    Optional<String> tagDenial =
        target.requested().digest().isPresent()
            ? Optional.empty()
            : target.requested().tag().flatMap(tag -> policy.tagDenial(tag.value()));
    if (tagDenial.isPresent() && policy.mode() != Mode.OFF) {
      out.println("FAILED tags.allowLatest: " + tagDenial.get());
      if (policy.mode() == Mode.ENFORCE) {
        allowed = false;
        message = tagDenial.get();
      }
    }
    if (!decision.signers().isEmpty()) {
      out.println("signed by " + String.join(", ", decision.signers()));
    }
    out.println((allowed ? "ALLOWED: " : "DENIED: ") + message);
    out.flush();
    return allowed ? ExitCodes.OK : ExitCodes.VERIFICATION_FAILED;
  }

  private TrustPolicy load() {
    if (!Files.isRegularFile(policyFile)) {
      throw new UsageException("policy file " + policyFile + " not found");
    }
    try {
      // the roots of sigstore stores as the gateway has them: refreshed through TUF
      return TrustPolicyLoader.load(
          policyFile,
          TrustedRoots.forPolicy(TufTrustedRootSource.defaultCacheDirectory(System.getenv()), out));
    } catch (PolicyException e) {
      throw new UsageException(policyFile + ": " + e.getMessage());
    }
  }
}
