package io.portcullis.core.sigstore;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Prints the CPU time of one keyless bundle verification (a public-good Fulcio certificate, a Rekor
 * SET and inclusion proof, an embedded SCT, an identity), cold (first call, which builds nothing
 * more: the verifier is built before) and warm, beside the cost of building the verifier itself. A
 * program, not a test: run it with the interop fixtures path as its argument, e.g.
 *
 * <pre>
 * java -cp trust-core/target/classes:trust-core/target/test-classes:$(deps) \
 *   io.portcullis.core.sigstore.BundleVerifierBenchmark ../shared/interop/sigstore
 * </pre>
 */
public final class BundleVerifierBenchmark {
  private BundleVerifierBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../shared/interop/sigstore");
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    TrustedRoot root =
        TrustedRoot.parse(
            Files.readAllBytes(dir.resolve("trustroot/public-good-trusted_root-2026-08.json")));
    SigstoreBundle bundle =
        SigstoreBundle.parse(Files.readAllBytes(dir.resolve("bundles/bundle.v3_1.sigstore")));
    Artifact artifact = Artifact.ofContent(Files.readAllBytes(dir.resolve("bundles/artifact.txt")));
    VerificationRequirements req =
        VerificationRequirements.keyless(
            List.of(
                new CertificateIdentity(
                    "https://accounts.google.com", null, "appu@google.com", null, Map.of())));

    long t0 = cpu.getCurrentThreadCpuTime();
    BundleVerifier verifier = new BundleVerifier(root);
    long t1 = cpu.getCurrentThreadCpuTime();
    BundleOutcome first = verifier.verify(bundle, artifact, req);
    long t2 = cpu.getCurrentThreadCpuTime();
    if (!first.verified()) {
      throw new IllegalStateException(first.failure());
    }
    int warmup = 2000;
    for (int i = 0; i < warmup; i++) {
      verifier.verify(bundle, artifact, req);
    }
    int n = 2000;
    long t3 = cpu.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) {
      verifier.verify(bundle, artifact, req);
    }
    long t4 = cpu.getCurrentThreadCpuTime();
    System.out.printf(
        "build verifier: %.2f ms CPU; first keyless verification (cold JVM): %.2f ms CPU;"
            + " warm: %.3f ms CPU per verification (%d runs)%n",
        (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t4 - t3) / 1e6 / n, n);
  }
}
