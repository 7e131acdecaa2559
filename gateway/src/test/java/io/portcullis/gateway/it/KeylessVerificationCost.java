package io.portcullis.gateway.it;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.policy.Evidence;
import io.portcullis.core.policy.PolicyDecision;
import io.portcullis.core.policy.PolicyEvaluator;
import io.portcullis.core.policy.SigstoreBundleEvidence;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.policy.TrustPolicyLoader;
import io.portcullis.testkit.sigstore.BundleWriter;
import io.portcullis.testkit.sigstore.PrivateSigstore;
import io.portcullis.testkit.sigstore.SigningIdentity;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CPU cost of the first keyless verification of an image, beyond fetching: thread CPU time
 * around {@link PolicyEvaluator#evaluate} (what the gateway runs on a worker thread for a decision
 * it has not cached) of a policy with a {@code sigstore} store and an identity, over a cosign v3
 * keyless bundle from a private Sigstore instance (chain to the CA at the logged time, SCT, SET,
 * inclusion proof and checkpoint, entry body, identity). Each image is new to the evaluator, as a
 * first pull is; later pulls hit the gateway's decision cache and cost none of this.
 */
public final class KeylessVerificationCost {
  private KeylessVerificationCost() {}

  /** Run alone: {@code [images (default 1000)]}. */
  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("portcullis-keyless-cost");
    print(dir, args.length > 0 ? Integer.parseInt(args[0]) : 1000);
  }

  /** Prints the CPU of the very first evaluation (cold JIT) and the median over {@code images}. */
  static void print(Path dir, int images) throws Exception {
    PrivateSigstore sigstore = PrivateSigstore.builder().build();
    Files.write(dir.resolve("keyless-root.json"), sigstore.trustedRootJson());
    SigningIdentity who =
        SigningIdentity.githubWorkflow(
            "myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
    Files.writeString(
        dir.resolve("keyless.yaml"),
        "version: 1\ntrustStores:\n  private: {type: sigstore, trustedRoot: keyless-root.json}\n"
            + "policies:\n  - name: keyless\n    scopes: ['**']\n"
            + "    signatures: {anyOf: [{type: cosign, trustStore: private, identities: [{issuer: "
            + SigningIdentity.GITHUB_ISSUER
            + ", subjectRegExp: '^https://github\\.com/myorg/'}]}]}\n");
    TrustPolicy trust = TrustPolicyLoader.load(dir.resolve("keyless.yaml"));
    PolicyEvaluator evaluator = new PolicyEvaluator(trust, Clock.systemUTC());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      Digest image = Digest.sha256(("image " + i).getBytes(StandardCharsets.UTF_8));
      byte[] bundle = sigstore.bundles().imageSignature("team/app", image, who);
      Evidence evidence =
          new Evidence(
              "team/app",
              image,
              List.of(),
              List.of(),
              List.of(),
              List.of(),
              List.of(
                  new SigstoreBundleEvidence(
                      Digest.sha256(bundle), BundleWriter.MEDIA_TYPE, Optional.empty(), bundle)));
      long t0 = cpu.getCurrentThreadCpuTime();
      PolicyDecision decision = evaluator.evaluate(trust.policies().get(0), evidence);
      long spent = cpu.getCurrentThreadCpuTime() - t0;
      if (!decision.allowed()) {
        throw new IllegalStateException("keyless image refused: " + decision.message());
      }
      millis.add(spent / 1e6);
    }
    List<Double> warm = millis.subList(1, millis.size());
    System.out.printf(
        "first keyless verification of an image, CPU (thread time around the evaluation):%n"
            + "  very first in this JVM (cold JIT): %.2f ms%n"
            + "  median of the next %d images      : %.2f ms (p90 %.2f ms)%n",
        millis.get(0), warm.size(), LoadRound.median(warm), percentile(warm, 0.9));
  }

  private static double percentile(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
  }
}
