package io.portcullis.signer;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.dsse.CosignAttestations;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.dsse.PredicateTypes;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code attest}: a signed <a
 * href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto
 * statement</a> in a <a
 * href="https://github.com/secure-systems-lab/dsse/blob/master/protocol.md">DSSE</a> envelope,
 * appended at {@code sha256-<hex>.att} as {@code cosign attest} does.
 */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    description = {
      "Attach a signed in-toto attestation (DSSE) to IMAGE, appended to the sha256-<hex>.att tag",
      "(--format cosign, the default) or pushed as a Sigstore bundle referrer (--format"
          + " sigstore-bundle [--rekor-url URL]).",
      "--recursive: for an index, also attest every manifest it lists."
    })
final class AttestCommand implements Callable<Integer> {

  @Option(
      names = "--format",
      defaultValue = "cosign",
      description = "cosign or sigstore-bundle (default: ${DEFAULT-VALUE}).")
  SignCommand.Format format;

  @Mixin RekorOptions rekor;

  @Option(names = "--key", required = true, paramLabel = "FILE", description = "Private key.")
  Path key;

  @Option(
      names = "--type",
      required = true,
      paramLabel = "TYPE",
      description = "vuln, slsaprovenance, custom, or a predicate type URI.")
  String type;

  @Option(
      names = "--predicate",
      required = true,
      paramLabel = "FILE",
      description = "The predicate JSON.")
  Path predicate;

  @Option(
      names = "--recursive",
      description =
          "When IMAGE is an index, attach the predicate to it and to every manifest it lists, each"
              + " in a statement about that manifest's digest.")
  boolean recursive;

  @Mixin PasswordOptions password;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Spec CommandSpec spec;

  /** cosign's {@code --type} names and URIs, as {@code cosign attest} maps them. */
  static String predicateType(String type) {
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "vuln" -> PredicateTypes.COSIGN_VULN;
      case "slsaprovenance", "slsaprovenance02" -> PredicateTypes.SLSA_PROVENANCE_V02;
      case "slsaprovenance1" -> PredicateTypes.SLSA_PROVENANCE_V1;
      case "custom" -> PredicateTypes.COSIGN_CUSTOM;
      default -> {
        if (!type.contains("://")) {
          throw new UsageException(
              "unknown --type '"
                  + type
                  + "': use vuln, slsaprovenance, slsaprovenance1, custom or a URI");
        }
        yield type;
      }
    };
  }

  @Override
  public Integer call() {
    if (format == SignCommand.Format.notation) {
      throw new UsageException("attest writes --format cosign or sigstore-bundle");
    }
    if (rekor.rekorUrl != null && format != SignCommand.Format.sigstoreBundle) {
      throw new UsageException("--rekor-url applies to --format sigstore-bundle only");
    }
    String predicateType = predicateType(type);
    JsonNode body = readPredicate();
    PrivateKey privateKey = KeyFiles.cosignPrivateKey(key, password);
    RegistryClient client = registry.client();
    PrintWriter out = spec.commandLine().getOut();
    if (format == SignCommand.Format.sigstoreBundle) {
      SigstoreBundleSigner signer = new SigstoreBundleSigner(privateKey, rekor.client());
      SigstoreBundleStore store = new SigstoreBundleStore(client);
      for (ResolvedImage target : SigningTargets.of(client, image, recursive)) {
        InTotoStatement statement =
            InTotoStatement.about(
                target.repository().toString(), target.digest(), predicateType, body);
        PushedManifest pushed =
            store.push(
                target.repository(),
                target.descriptor(),
                signer.attestation(statement),
                predicateType);
        out.println("attested " + target.pinned() + " (" + predicateType + ", sigstore bundle)");
        out.println(SigstoreBundleStore.describe(target, pushed, rekor.rekorUrl != null));
      }
      return ExitCodes.OK;
    }
    var signer = Signers.forPrivateKey(privateKey);
    CosignAttachmentStore store = new CosignAttachmentStore(client);
    for (ResolvedImage target : SigningTargets.of(client, image, recursive)) {
      InTotoStatement statement =
          InTotoStatement.about(
              target.repository().toString(), target.digest(), predicateType, body);
      AttachmentLayer layer = CosignAttestations.attest(statement, signer, "");
      Tag tag = CosignAttachmentStore.tag(target.digest(), AttachmentManifest.ATTESTATION_SUFFIX);
      Optional<?> pushed = store.append(target.repository(), tag, layer);
      out.println("attested " + target.pinned() + " (" + predicateType + ")");
      out.println(
          (pushed.isPresent() ? "attestation appended to " : "identical attestation already at ")
              + target.repository()
              + ":"
              + tag);
    }
    return ExitCodes.OK;
  }

  private JsonNode readPredicate() {
    String text = KeyFiles.read(predicate, "--predicate");
    JsonNode node;
    try {
      node = StrictJson.readTree(text);
    } catch (StrictJson.InvalidJsonException e) {
      throw new UsageException(
          "--predicate " + predicate + " is not valid JSON: " + e.getMessage());
    }
    if (!node.isObject()) {
      throw new UsageException("--predicate " + predicate + " must hold a JSON object");
    }
    return node;
  }
}
