package io.portcullis.core.cosign;

import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.TrustRoots;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.testing.InteropFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.stream.Stream;

/** The containers/image cosign fixtures, read as the registry layers they stand for. */
final class CosignFixtures {
  static final String REKOR_KEY = "sigstore/public-good-tuf/targets/rekor.pub";

  private CosignFixtures() {}

  static Digest imageDigest(String dir) {
    return Digest.sha256(InteropFixtures.bytes("cosign/" + dir + "/manifest.json"));
  }

  /** Every {@code signature-N} of a fixture directory, as layers, in name order. */
  static List<AttachmentLayer> layers(String dir) {
    Path path = InteropFixtures.path("cosign/" + dir);
    try (Stream<Path> files = Files.list(path)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("signature-"))
          .sorted()
          .map(CosignFixtures::layer)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AttachmentLayer layer(Path file) {
    try {
      return SigstoreJsonSignature.parse(Files.readAllBytes(file)).toLayer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static PublicKey key(String name) {
    return PublicKeyPem.parse(InteropFixtures.text("cosign/" + name));
  }

  /**
   * The public-good Rekor key, from the sigstore part of the fixtures: {@code cosign/rekor.pub}
   * there is a dangling git symlink (its content is a path).
   */
  static PublicKey rekorKey() {
    return PublicKeyPem.parse(InteropFixtures.text(REKOR_KEY));
  }

  static TrustRoots fulcioRoots() {
    return TrustRoots.fromPem(InteropFixtures.text("cosign/fulcio_v1.crt.pem"), null);
  }

  static TrustRoots pkiRoots() {
    return TrustRoots.fromPem(
        InteropFixtures.text("cosign/pki_root_crts.pem"),
        InteropFixtures.text("cosign/pki_intermediate_crts.pem"));
  }
}
