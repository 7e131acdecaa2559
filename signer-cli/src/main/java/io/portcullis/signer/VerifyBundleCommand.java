package io.portcullis.signer;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.Artifact;
import io.portcullis.core.sigstore.BundleOutcome;
import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.SigstoreFormatException;
import io.portcullis.core.sigstore.VerificationRequirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify-bundle}: the verify half of the <a
 * href="https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md">sigstore-conformance
 * client CLI protocol</a>, so the conformance suite can drive this verifier: {@code verify-bundle
 * [--staging] --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PUB)
 * [--trusted-root FILE] FILE_OR_DIGEST}. Exit 0 when the bundle verifies, 1 with one line on stderr
 * when it does not.
 */
@Command(
    name = "verify-bundle",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a Sigstore bundle over a file or a sha256:<hex> digest (the sigstore-conformance"
          + " client protocol).",
      "Keyless: --certificate-identity ID --certificate-oidc-issuer URL; key-based: --key PUB."
    })
final class VerifyBundleCommand implements Callable<Integer> {
  private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");

  /** Files up to this size are kept whole, for a message signature that states no digest. */
  static final long MAX_CONTENT_BYTES = 64L * 1024 * 1024;

  @Option(names = "--staging", description = "Use the Sigstore staging trusted root.")
  boolean staging;

  @Option(
      names = "--bundle",
      required = true,
      paramLabel = "FILE",
      description = "The bundle to verify.")
  Path bundle;

  @Option(
      names = "--certificate-identity",
      paramLabel = "ID",
      description = "The SAN the signing certificate must carry.")
  String identity;

  @Option(
      names = "--certificate-oidc-issuer",
      paramLabel = "URL",
      description = "The OIDC issuer the signing certificate must name.")
  String issuer;

  @Option(names = "--key", paramLabel = "PUB", description = "The public key (PEM).")
  Path key;

  @Option(
      names = "--trusted-root",
      paramLabel = "FILE",
      description =
          "Sigstore trusted_root.json. Default: the public-good root shipped in the jar"
              + " (--staging: the staging root).")
  Path trustedRoot;

  @Parameters(
      paramLabel = "FILE_OR_DIGEST",
      description = "The artifact: a file, or sha256:<hex> when no such file exists.")
  String artifact;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    VerificationRequirements requirements = requirements();
    SigstoreBundle parsed = readBundle();
    Artifact subject = artifact();
    BundleVerifier verifier = new BundleVerifier(TrustedRoots.load(trustedRoot, staging));
    BundleOutcome outcome = verifier.verify(parsed, subject, requirements);
    if (!outcome.verified()) {
      throw new VerificationFailedException("bundle does not verify: " + outcome.failure());
    }
    spec.commandLine()
        .getOut()
        .println(
            "OK: sigstore bundle v"
                + parsed.version()
                + " verified; signed by "
                + outcome.signer().map(s -> s.describe()).orElse("?")
                + outcome.signedAt().map(t -> " at " + t).orElse("")
                + (outcome.logIndex().isPresent()
                    ? ", log index " + outcome.logIndex().getAsLong()
                    : ""));
    return ExitCodes.OK;
  }

  private VerificationRequirements requirements() {
    boolean keyless = identity != null || issuer != null;
    if (keyless == (key != null)) {
      throw new UsageException(
          "give either --certificate-identity ID --certificate-oidc-issuer URL, or --key PUB");
    }
    if (key != null) {
      return VerificationRequirements.keys(List.of(KeyFiles.publicKey(key)), false);
    }
    if (identity == null || issuer == null) {
      throw new UsageException(
          "keyless verification needs both --certificate-identity and --certificate-oidc-issuer");
    }
    return VerificationRequirements.keyless(
        List.of(new CertificateIdentity(issuer, null, identity, null, Map.of())));
  }

  private SigstoreBundle readBundle() {
    byte[] bytes;
    try {
      if (Files.size(bundle) > SigstoreBundle.MAX_BYTES) {
        throw new UsageException("--bundle " + bundle + " is over " + SigstoreBundle.MAX_BYTES);
      }
      bytes = Files.readAllBytes(bundle);
    } catch (IOException e) {
      throw new UsageException("cannot read --bundle " + bundle);
    }
    try {
      return SigstoreBundle.parse(bytes);
    } catch (SigstoreFormatException e) {
      throw new VerificationFailedException("--bundle " + bundle + ": " + e.getMessage());
    }
  }

  /** As the protocol says: a digest only when it is well formed and names no file on disk. */
  private Artifact artifact() {
    Path file = Path.of(artifact);
    if (SHA256.matcher(artifact).matches() && !Files.exists(file)) {
      return Artifact.ofDigest(Digest.parse(artifact));
    }
    try {
      if (Files.size(file) <= MAX_CONTENT_BYTES) {
        return Artifact.ofContent(Files.readAllBytes(file));
      }
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return new Artifact(sha256.digest(), Optional.empty());
    } catch (IOException e) {
      throw new UsageException("cannot read the artifact " + artifact);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
