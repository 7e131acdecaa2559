package io.portcullis.signer;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CosignSigner;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.NotationSigner;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.time.Durations;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateReader;
import io.portcullis.core.x509.PemFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sign}: a <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature</a>
 * or a <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md">Notary
 * Project signature</a> on an image's manifest digest.
 */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign IMAGE. A tag is resolved to its digest first; the digest is what gets signed.",
      "cosign (default): --key FILE [--password-file FILE]; appended to the sha256-<hex>.sig tag.",
      "sigstore-bundle: --key FILE [--rekor-url URL]; a cosign v3 bundle pushed as a referrer.",
      "notation: --cert FILE --cert-key FILE [--cert-chain FILE]; pushed as a referrer of IMAGE.",
      "--recursive: for an index, also sign every manifest it lists."
    })
final class SignCommand implements Callable<Integer> {

  /** The signature formats this command writes. */
  enum Format {
    cosign,
    notation,
    sigstoreBundle {
      @Override
      public String toString() {
        return "sigstore-bundle";
      }
    }
  }

  @Option(
      names = "--format",
      defaultValue = "cosign",
      description = "cosign, sigstore-bundle or notation (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--key", paramLabel = "FILE", description = "cosign private key (encrypted).")
  Path key;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description = "Signing certificate, optionally followed by its chain (PEM).")
  Path cert;

  @Option(names = "--cert-key", paramLabel = "FILE", description = "Its private key (PKCS#8 PEM).")
  Path certKey;

  @Option(
      names = "--cert-chain",
      paramLabel = "FILE",
      description =
          "Further chain certificates up to the root (PEM). Default: root.crt beside --cert when"
              + " it issued the last certificate of --cert.")
  Path certChain;

  @Option(
      names = "--expiry",
      paramLabel = "DURATION",
      description =
          "notation: the signature expires this long after signing (e.g. 30d, 24h); verifiers"
              + " refuse it afterwards. Default: no expiry.")
  String expiry;

  @Option(
      names = "--recursive",
      description =
          "When IMAGE is an index, sign it and every manifest it lists (nested indexes too), so"
              + " each platform manifest verifies when pulled by its own digest.")
  boolean recursive;

  @Mixin RekorOptions rekor;

  @Mixin PasswordOptions password;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (expiry != null && format != Format.notation) {
      throw new UsageException("--expiry applies to notation signatures only");
    }
    if (rekor.rekorUrl != null && format != Format.sigstoreBundle) {
      throw new UsageException("--rekor-url applies to --format sigstore-bundle only");
    }
    return switch (format) {
      case cosign -> signCosign();
      case sigstoreBundle -> signBundle();
      case notation -> signNotation();
    };
  }

  private int signBundle() {
    if (key == null) {
      throw new UsageException("sigstore-bundle signing needs --key FILE");
    }
    if (cert != null || certKey != null || certChain != null) {
      throw new UsageException("--cert, --cert-key and --cert-chain are for --format notation");
    }
    PrivateKey privateKey = KeyFiles.cosignPrivateKey(key, password);
    SigstoreBundleSigner signer = new SigstoreBundleSigner(privateKey, rekor.client());
    RegistryClient client = registry.client();
    SigstoreBundleStore store = new SigstoreBundleStore(client);
    PrintWriter out = spec.commandLine().getOut();
    for (ResolvedImage target : SigningTargets.of(client, image, recursive)) {
      byte[] bundle = signer.signature(target.digest());
      PushedManifest pushed =
          store.push(
              target.repository(),
              target.descriptor(),
              bundle,
              SigstoreBundleSigner.SIGN_PREDICATE_TYPE);
      out.println("signed " + target.pinned() + " (sigstore bundle v0.3, DSSE)");
      out.println(SigstoreBundleStore.describe(target, pushed, rekor.rekorUrl != null));
    }
    return ExitCodes.OK;
  }

  private int signCosign() {
    if (key == null) {
      throw new UsageException("cosign signing needs --key FILE");
    }
    if (cert != null || certKey != null || certChain != null) {
      throw new UsageException("--cert, --cert-key and --cert-chain are for --format notation");
    }
    PrivateKey privateKey = KeyFiles.cosignPrivateKey(key, password);
    RegistryClient client = registry.client();
    CosignSigner signer = new CosignSigner(Signers.forPrivateKey(privateKey));
    CosignAttachmentStore store = new CosignAttachmentStore(client);
    PrintWriter out = spec.commandLine().getOut();
    for (ResolvedImage target : SigningTargets.of(client, image, recursive)) {
      AttachmentLayer layer =
          signer.sign(target.repository().toString(), target.digest(), Map.of());
      Tag tag = CosignAttachmentStore.tag(target.digest(), AttachmentManifest.SIGNATURE_SUFFIX);
      Optional<?> pushed = store.append(target.repository(), tag, layer);
      out.println("signed " + target.pinned() + " (cosign)");
      out.println(
          (pushed.isPresent() ? "signature appended to " : "identical signature already at ")
              + target.repository()
              + ":"
              + tag);
    }
    return ExitCodes.OK;
  }

  private int signNotation() {
    if (cert == null || certKey == null) {
      throw new UsageException("notation signing needs --cert FILE and --cert-key FILE");
    }
    if (key != null) {
      throw new UsageException("--key is for cosign signing; notation uses --cert and --cert-key");
    }
    List<X509Certificate> chain = chain();
    PrivateKey privateKey;
    try {
      privateKey = PemFiles.readPrivateKey(certKey);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    NotationSigner signer;
    try {
      signer = NotationSigner.create(privateKey, chain);
    } catch (CertificateChainException | IllegalArgumentException e) {
      throw new UsageException("cannot sign with " + cert + ": " + e.getMessage());
    }
    RegistryClient client = registry.client();
    for (ResolvedImage target : SigningTargets.of(client, image, recursive)) {
      signNotation(client, signer, target);
    }
    return ExitCodes.OK;
  }

  private void signNotation(RegistryClient client, NotationSigner signer, ResolvedImage target) {
    byte[] envelope;
    try {
      Instant now = Instant.now();
      envelope = signer.sign(target.descriptor(), now, expiry == null ? null : now.plus(expiry()));
    } catch (IllegalArgumentException e) {
      throw new UsageException("cannot sign with " + cert + ": " + e.getMessage());
    }
    SignatureManifest manifest =
        SignatureManifest.create(
            target.descriptor(), EnvelopeFormat.JWS, envelope, signer.certificateChain());
    PushedManifest pushed =
        new NotationSignatureStore(client).push(target.repository(), manifest, envelope);
    PrintWriter out = spec.commandLine().getOut();
    out.println("signed " + target.pinned() + " (notation, " + signer.algorithm() + ")");
    out.println(
        "signature manifest "
            + target.repository()
            + "@"
            + pushed.descriptor().digest()
            + (pushed.referrersTagUpdated()
                ? " (registry has no referrers API: listed in tag "
                    + target.digest().referrersTag()
                    + ")"
                : ""));
  }

  /** --cert, then --cert-chain or a root.crt beside --cert that issued the last certificate. */
  private List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>(certificates(cert, "--cert"));
    Path extra = certChain;
    if (extra == null && !isSelfSigned(chain.get(chain.size() - 1))) {
      Path sibling = cert.toAbsolutePath().resolveSibling("root.crt");
      if (Files.isRegularFile(sibling)) {
        X509Certificate root = certificates(sibling, "root.crt").get(0);
        if (issued(root, chain.get(chain.size() - 1))) {
          extra = sibling;
        }
      }
    }
    if (extra != null) {
      chain.addAll(certificates(extra, "--cert-chain"));
    }
    return chain;
  }

  private static List<X509Certificate> certificates(Path file, String option) {
    if (!Files.isReadable(file)) {
      throw new UsageException("cannot read " + option + " " + file);
    }
    try {
      List<X509Certificate> certs = CertificateReader.read(file);
      if (certs.isEmpty()) {
        throw new UsageException(option + " " + file + " holds no certificate");
      }
      return certs;
    } catch (CertificateChainException | IllegalArgumentException e) {
      throw new UsageException(option + " " + file + ": " + e.getMessage());
    }
  }

  private static boolean isSelfSigned(X509Certificate cert) {
    return issued(cert, cert);
  }

  private static boolean issued(X509Certificate issuer, X509Certificate subject) {
    if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
      return false;
    }
    try {
      subject.verify(issuer.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  private Duration expiry() {
    try {
      return Durations.parse(expiry);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--expiry: " + e.getMessage());
    }
  }
}
