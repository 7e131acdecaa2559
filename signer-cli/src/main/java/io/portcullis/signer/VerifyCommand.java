package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CheckResult;
import io.portcullis.core.cosign.CosignSignatureVerifier;
import io.portcullis.core.cosign.LayerOutcome;
import io.portcullis.core.dsse.AttestationVerifier;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.policy.SignatureBudget;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.VerificationRequirements;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify}: checks an image's cosign signatures or attestations against a public key, or its
 * Notary Project signatures against a trust store (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification">Notary
 * verification steps</a>). Prints one line per signature and exits 1 when none passes.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify IMAGE's signatures. Prints one line per signature: what was checked and the result.",
      "cosign: --key PUB [--attestation-type TYPE]: legacy .sig/.att and Sigstore bundle referrers;",
      "keyless (Sigstore bundles): --certificate-identity[-regexp] X --certificate-oidc-issuer[-regexp]"
          + " Y [--trusted-root FILE];",
      "notation: --trust-store DIR [--identity ID];",
      "trust policy: --policy FILE [--scope-path PATH] (exit 0 allowed, 1 denied, 3 could not"
          + " verify);",
      "Docker Content Trust: --dct-server URL [--dct-root-key F|ID]... [--dct-ca-file F]"
          + " [--dct-credentials-file F] [--dct-roles R,R] IMAGE:TAG (prints the signed digest,"
          + " role and signers' key ids)."
    })
final class VerifyCommand implements Callable<Integer> {

  @Option(names = "--key", paramLabel = "PUB", description = "cosign public key (PEM).")
  Path key;

  @Option(
      names = "--attestation-type",
      paramLabel = "TYPE",
      description = "Verify attestations of this type (vuln, slsaprovenance, custom, URI).")
  String attestationType;

  @Option(
      names = "--trust-store",
      paramLabel = "DIR",
      description = "Directory of trusted root certificates (PEM) for Notary Project signatures.")
  Path trustStore;

  @Option(
      names = "--identity",
      paramLabel = "ID",
      description =
          "Trusted signer identity, e.g. \"x509.subject: C=US, O=Example\" (default: any"
              + " identity the trust store vouches for).")
  List<String> identities = new java.util.ArrayList<>();

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description =
          "Decide as the gateway would, with this trust policy (see trust-policies/README.md).")
  Path policy;

  @Option(
      names = "--scope-path",
      paramLabel = "PATH",
      description =
          "Repository path the policy scopes are matched against (default: IMAGE's repository"
              + " without the registry host, e.g. team/app).")
  String scopePath;

  @Mixin KeylessOptions keyless;

  @Option(
      names = "--trusted-root",
      paramLabel = "FILE",
      description =
          "Sigstore trusted_root.json for bundles (Fulcio CAs, Rekor and CT logs, timestamp"
              + " authorities). Default: the public-good root.")
  Path trustedRoot;

  @Mixin DctOptions dct;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    // --dct-trust-dir alone also serves --policy: where its dct requirements' roots are kept
    if (dct.given() && (policy == null || dct.serverGiven())) {
      return verifyDct();
    }
    if (policy != null) {
      if (key != null
          || trustStore != null
          || attestationType != null
          || !identities.isEmpty()
          || keyless.given()
          || trustedRoot != null) {
        throw new UsageException(
            "--policy takes the keys and trust stores from the policy file; drop --key,"
                + " --trust-store, --identity, --certificate-*, --trusted-root and"
                + " --attestation-type");
      }
      return new PolicyVerification(
              policy, scopePath, dct.trustDir(System.getenv()), spec.commandLine().getOut())
          .run(registry.client(), image);
    }
    if (scopePath != null) {
      throw new UsageException("--scope-path applies to --policy verification");
    }
    int sources = (key != null ? 1 : 0) + (trustStore != null ? 1 : 0) + (keyless.given() ? 1 : 0);
    if (sources != 1) {
      throw new UsageException(
          "give either --key PUB (cosign), --certificate-identity and --certificate-oidc-issuer"
              + " (keyless), --trust-store DIR (notation) or --policy FILE");
    }
    if (trustStore != null && trustedRoot != null) {
      throw new UsageException("--trusted-root applies to cosign and keyless verification");
    }
    if (trustStore == null && !identities.isEmpty()) {
      throw new UsageException("--identity applies to --trust-store verification");
    }
    if (trustStore != null && attestationType != null) {
      throw new UsageException("--attestation-type applies to --key verification");
    }
    if (keyless.given()) {
      return verifyKeyless();
    }
    return key != null ? verifyCosign() : verifyNotation();
  }

  private int verifyDct() throws IOException {
    if (key != null
        || trustStore != null
        || policy != null
        || scopePath != null
        || attestationType != null
        || !identities.isEmpty()
        || keyless.given()
        || trustedRoot != null) {
      throw new UsageException(
          "--dct-server verifies Docker Content Trust alone; drop --key, --trust-store,"
              + " --policy, --identity, --certificate-*, --trusted-root and --attestation-type");
    }
    DctVerification.Result result =
        new DctVerification(dct, spec.commandLine().getOut(), System.getenv()).run(image, registry);
    if (result.exitCode() != ExitCodes.OK) {
      spec.commandLine()
          .getErr()
          .println(spec.qualifiedName() + ": not verified: " + result.reason());
    }
    return result.exitCode();
  }

  private int verifyCosign() throws IOException {
    PublicKey publicKey = KeyFiles.publicKey(key);
    String predicateType =
        attestationType == null ? null : AttestCommand.predicateType(attestationType);
    RegistryClient client = registry.client();
    ResolvedImage target = ResolvedImage.resolve(client, image);
    CosignAttachmentStore store = new CosignAttachmentStore(client);
    String suffix =
        predicateType == null
            ? AttachmentManifest.SIGNATURE_SUFFIX
            : AttachmentManifest.ATTESTATION_SUFFIX;
    Tag tag = CosignAttachmentStore.tag(target.digest(), suffix);
    Optional<ImageManifest> attached = store.read(target.repository(), tag);
    PrintWriter out = spec.commandLine().getOut();
    String what =
        predicateType == null ? "cosign signatures" : "attestations of type " + predicateType;
    out.println("image " + target.pinned());
    out.println("checking " + what + " at " + target.repository() + ":" + tag + " with " + key);
    io.portcullis.core.cosign.VerificationOutcome outcome;
    if (predicateType == null) {
      // the signatures the gateway would read, no more
      SignatureBudget.Selection selection = SignatureBudget.cosign(attachedOrEmpty(attached));
      selection.note().ifPresent(note -> out.println("NOTE signatures: " + note));
      outcome =
          CosignSignatureVerifier.builder()
              .trustedKeys(List.of(publicKey))
              .build()
              .verify(target.digest(), store.signatures(target.repository(), selection));
    } else {
      outcome =
          new AttestationVerifier(List.of(publicKey), predicateType)
              .verify(
                  target.digest(), attachedOrEmpty(attached), store.fetcher(target.repository()));
    }
    VerificationReport report = new VerificationReport(what);
    int n = 0;
    String legacy = predicateType == null ? " (legacy .sig)" : " (legacy .att)";
    for (LayerOutcome layer : outcome.layers()) {
      // payloads repeat when several keys sign one image; the position tells the layers apart
      String subject = "#" + ++n + " layer " + layer.layerDigest() + legacy;
      if (layer.verified()) {
        report.pass(subject, summary(layer));
      } else {
        report.fail(subject, layer.failure().orElse("not verified"));
      }
    }
    out.println("checking Sigstore bundle referrers of " + target.pinned() + " with " + key);
    new BundleReferrerCheck(
            new SigstoreBundleStore(client),
            () -> TrustedRoots.refreshed(trustedRoot, out),
            VerificationRequirements.keys(List.of(publicKey), false),
            predicateType == null ? SigstoreBundleSigner.SIGN_PREDICATE_TYPE : predicateType)
        .run(target, report, out);
    return finish(report, target);
  }

  private int verifyKeyless() {
    CertificateIdentity identity = keyless.identity();
    String predicateType =
        attestationType == null
            ? SigstoreBundleSigner.SIGN_PREDICATE_TYPE
            : AttestCommand.predicateType(attestationType);
    RegistryClient client = registry.client();
    ResolvedImage target = ResolvedImage.resolve(client, image);
    PrintWriter out = spec.commandLine().getOut();
    TrustedRoot root = TrustedRoots.refreshed(trustedRoot, out);
    VerificationRequirements requirements = VerificationRequirements.keyless(List.of(identity));
    out.println("image " + target.pinned());
    VerificationReport report =
        new VerificationReport(
            attestationType == null ? "keyless signatures" : "keyless attestations");
    if (attestationType == null) {
      out.println("checking keyless legacy .sig signatures for " + identity);
      new LegacyKeylessCheck(
              new CosignAttachmentStore(client), new BundleVerifier(root), requirements)
          .run(target, report, out);
    }
    out.println(
        "checking keyless Sigstore bundle referrers (" + predicateType + ") for " + identity);
    new BundleReferrerCheck(
            new SigstoreBundleStore(client), () -> root, requirements, predicateType)
        .run(target, report, out);
    return finish(report, target);
  }

  private static ImageManifest attachedOrEmpty(Optional<ImageManifest> attached) {
    return attached.orElseGet(() -> new ImageManifest(2, null, null, null, List.of(), null, null));
  }

  private static String summary(LayerOutcome layer) {
    return String.join(
        "; ", layer.checks().stream().map(CheckResult::detail).filter(d -> !d.isBlank()).toList());
  }

  private int verifyNotation() {
    NotationVerification notation = NotationVerification.of(trustStore, identities);
    RegistryClient client = registry.client();
    ResolvedImage target = ResolvedImage.resolve(client, image);
    VerificationReport report = notation.run(client, target, spec.commandLine().getOut());
    return finish(report, target);
  }

  private int finish(VerificationReport report, ResolvedImage target) {
    int code = report.print(spec.commandLine().getOut());
    if (code != ExitCodes.OK) {
      spec.commandLine()
          .getErr()
          .println(spec.qualifiedName() + ": verification failed for " + target.pinned());
    }
    return code;
  }
}
