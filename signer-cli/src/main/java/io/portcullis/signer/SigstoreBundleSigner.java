package io.portcullis.signer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.Signer;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.BundleWriter;
import io.portcullis.core.sigstore.RekorClient;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.TlogEntry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Makes cosign v3 bundles with a key: a DSSE envelope over an in-toto statement, in a v0.3 bundle
 * whose verification material is the {@code publicKey} hint, logged in Rekor only when a Rekor URL
 * is given. An image signature is the statement cosign v3's {@code sign} writes (its {@code
 * cmd/cosign/cli/sign}): subject the manifest digest, predicate type {@value #SIGN_PREDICATE_TYPE},
 * an empty predicate.
 */
final class SigstoreBundleSigner {
  /** The predicate type of a cosign v3 image signature. */
  static final String SIGN_PREDICATE_TYPE = "https://sigstore.dev/cosign/sign/v1";

  private final Signer signer;
  private final PublicKey publicKey;
  private final Optional<RekorClient> rekor;

  SigstoreBundleSigner(PrivateKey key, Optional<RekorClient> rekor) {
    this.signer = Signers.forPrivateKey(key);
    this.publicKey = KeyFiles.publicKeyOf(key);
    this.rekor = rekor;
  }

  /** The statement cosign v3 signs for an image: {@code _type}, subject digest, predicate {}. */
  static byte[] signatureStatement(Digest image) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("_type", InTotoStatement.STATEMENT_V1);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.putObject("digest").put(image.algorithm(), image.hex());
    root.put("predicateType", SIGN_PREDICATE_TYPE);
    root.putObject("predicate");
    return StrictJson.write(root);
  }

  /** A bundle signing {@code image}, as {@code cosign sign} v3 writes it. */
  byte[] signature(Digest image) {
    return bundle(signatureStatement(image));
  }

  /** A bundle of {@code statement}, as {@code cosign attest} v3 writes it. */
  byte[] attestation(InTotoStatement statement) {
    return bundle(statement.toJson());
  }

  /** The {@code publicKey.hint}: base64 of the SHA-256 of the key's DER, as sigstore-go sets it. */
  static String hint(PublicKey key) {
    try {
      return Base64.getEncoder()
          .encodeToString(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] bundle(byte[] statement) {
    DsseEnvelope envelope =
        DsseEnvelope.sign(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, statement, signer, "");
    List<TlogEntry> entries =
        rekor.map(r -> List.of(r.uploadDsse(envelope, publicKey))).orElse(List.of());
    return BundleWriter.write(
        new SigstoreBundle(
            SigstoreBundle.MEDIA_TYPE_V03,
            List.of(),
            Optional.of(hint(publicKey)),
            entries,
            List.of(),
            Optional.empty(),
            Optional.of(envelope)));
  }
}
