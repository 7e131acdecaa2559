package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A trust artifact's layer is served only when its bytes are what its media type claims: the type
 * is the uploader's word, so content typed as a signature (a tar layer, an image config, a
 * manifest) never passes as one.
 */
class SignatureArtifactsTest {
  private static final Digest IMAGE = Digest.sha256(bytes("image"));
  private static final byte[] PAYLOAD =
      SimpleSigningPayload.create("registry/team/app", IMAGE, Map.of()).raw();
  private static final byte[] ENVELOPE =
      new DsseEnvelope(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, bytes("{}"), List.of()).toJson();
  private static final byte[] TAR = new byte[1024];
  private static final byte[] CONFIG =
      bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}");
  private static final byte[] MANIFEST =
      bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"}");

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(SimpleSigningPayload.MEDIA_TYPE, PAYLOAD, true),
        Arguments.of(SimpleSigningPayload.MEDIA_TYPE, TAR, false),
        Arguments.of(SimpleSigningPayload.MEDIA_TYPE, CONFIG, false),
        Arguments.of(SimpleSigningPayload.MEDIA_TYPE, MANIFEST, false),
        Arguments.of(DsseEnvelope.MEDIA_TYPE, ENVELOPE, true),
        Arguments.of(DsseEnvelope.MEDIA_TYPE, CONFIG, false),
        Arguments.of(MediaTypes.OCI_EMPTY, bytes("{}"), true),
        Arguments.of(MediaTypes.OCI_EMPTY, CONFIG, false),
        Arguments.of("application/jose+json", CONFIG, false),
        Arguments.of("application/cose", TAR, false),
        Arguments.of("application/vnd.dev.sigstore.bundle.v0.3+json", CONFIG, false),
        // only the shape of a bundle (no key, certificate or signature): refused since bundles
        // are parsed as bundles, not just as JSON naming a bundle media type
        Arguments.of(
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            bytes(
                "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                    + "\"verificationMaterial\":{},\"messageSignature\":{}}"),
            false),
        Arguments.of(
            "application/vnd.dev.sigstore.bundle.v0.3+json",
            bytes(
                "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
                    + "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"}},"
                    + "\"messageSignature\":{\"signature\":\"AAAA\"}}"),
            true),
        Arguments.of(MediaTypes.OCI_LAYER_GZIP, TAR, false));
  }

  @ParameterizedTest(name = "{0} #{index}")
  @MethodSource("cases")
  void bytesMustBeOfTheirDeclaredType(String mediaType, byte[] bytes, boolean ok) {
    String why = SignatureArtifacts.notOfType(mediaType, bytes);
    if (ok) {
      assertNull(why);
    } else {
      assertNotNull(why, mediaType);
    }
  }

  @Test
  void onlySmallTrustTypedLayersAreTrustLayers() {
    assertTrue(SignatureArtifacts.isTrustLayer(layer(SimpleSigningPayload.MEDIA_TYPE, 300)));
    assertFalse(SignatureArtifacts.isTrustLayer(layer(MediaTypes.OCI_LAYER_GZIP, 300)));
    assertFalse(
        SignatureArtifacts.isTrustLayer(
            layer(SimpleSigningPayload.MEDIA_TYPE, SignatureArtifacts.MAX_LAYER_SIZE + 1L)));
  }

  @Test
  void trustArtifactTagsNameTheirSubject() {
    String hex = IMAGE.toString().substring("sha256:".length());
    for (String suffix : List.of(".sig", ".att", ".sbom", "")) {
      assertEquals(Optional.of(IMAGE), SignatureArtifacts.subjectOfTag("sha256-" + hex + suffix));
    }
    assertEquals(Optional.empty(), SignatureArtifacts.subjectOfTag("v1"));
    assertEquals(Optional.empty(), SignatureArtifacts.subjectOfTag("sha256-" + hex + ".tar"));
  }

  private static Descriptor layer(String type, long size) {
    return Descriptor.of(type, Digest.sha256(bytes(type)), size);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
