package io.portcullis.core.json;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.portcullis.core.cosign.RekorBundle;
import io.portcullis.core.cosign.SigstoreJsonSignature;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.DsseSignature;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.NotationPayload;
import io.portcullis.core.notation.NotationSigner;
import io.portcullis.core.notation.SignatureManifest;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.testing.SeedDocuments;
import io.portcullis.core.vet.ImageConfig;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parser of a signed or verified document reads through {@link StrictJson}: each accepts a
 * valid document, and refuses the same document with its first member given twice, with a member
 * name in another case, and nested past the depth bound.
 */
class SignedDocumentParsersTest {
  static final Digest IMAGE = SeedDocuments.IMAGE;
  static final String SIGSTORE_PREFIX = "\0sigstore-json\n";

  /** A document its parser accepts, with the prefix (if any) before its JSON. */
  record Case(String name, String prefix, byte[] json, Consumer<byte[]> parser) {
    @Override
    public String toString() {
      return name;
    }

    byte[] withPrefix(byte[] body) {
      byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
      byte[] all = Arrays.copyOf(p, p.length + body.length);
      System.arraycopy(body, 0, all, p.length, body.length);
      return all;
    }
  }

  static Stream<Case> cases() {
    DevPki pki = DevPki.generate();
    Descriptor target = Descriptor.of(MediaTypes.OCI_MANIFEST, IMAGE, 5);
    byte[] jws =
        NotationSigner.create(pki.signerKey(), pki.signingChain())
            .sign(target, Instant.now(), null);
    byte[] signatureManifest =
        SignatureManifest.create(target, EnvelopeFormat.JWS, jws, pki.signingChain()).bytes();
    return Stream.of(
        new Case("image manifest", "", utf8(SeedDocuments.manifest()), ManifestCodec::readManifest),
        new Case("image index", "", utf8(SeedDocuments.index()), ManifestCodec::readIndex),
        new Case(
            "manifest media type", "", utf8(SeedDocuments.manifest()), ManifestCodec::mediaTypeOf),
        new Case(
            "simple signing payload",
            "",
            SimpleSigningPayload.create("registry.test/team/app", IMAGE, Map.of("a", "b")).raw(),
            SimpleSigningPayload::parse),
        new Case(
            "DSSE envelope",
            "",
            new DsseEnvelope(
                    DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
                    utf8("{}"),
                    List.of(new DsseSignature("k", new byte[] {1, 2})))
                .toJson(),
            DsseEnvelope::parse),
        new Case(
            "in-toto statement",
            "",
            InTotoStatement.about(
                    "team/app",
                    IMAGE,
                    "https://example.test/predicate",
                    JsonNodeFactory.instance.objectNode().put("x", 1))
                .toJson(),
            InTotoStatement::parse),
        new Case(
            "notation payload", "", new NotationPayload(target).toJson(), NotationPayload::parse),
        new Case("JWS envelope", "", jws, EnvelopeFormat.JWS::parse),
        new Case("notation signature manifest", "", signatureManifest, SignatureManifest::parse),
        new Case(
            "Rekor bundle",
            "",
            utf8(
                "{\"SignedEntryTimestamp\":\"AAAA\",\"Payload\":{\"body\":\"e30=\","
                    + "\"integratedTime\":1,\"logIndex\":2,\"logID\":\"ab\"}}"),
            json -> RekorBundle.parse(new String(json, StandardCharsets.UTF_8))),
        new Case(
            "sigstore-json signature",
            SIGSTORE_PREFIX,
            utf8("{\"mimeType\":\"m\",\"payload\":\"e30=\",\"annotations\":{\"a\":\"b\"}}"),
            SigstoreJsonSignature::parse),
        new Case(
            "image config",
            "",
            utf8("{\"config\":{\"User\":\"app\",\"Labels\":{\"a\":\"b\"}},\"rootfs\":{}}"),
            ImageConfig::parse));
  }

  static Stream<Arguments> parsers() {
    return cases().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  void acceptsTheValidDocument(Case c) {
    assertDoesNotThrow(() -> c.parser().accept(c.withPrefix(c.json())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  void refusesADuplicateMember(Case c) {
    byte[] doubled = c.withPrefix(utf8(withFirstMember(c.json(), (name, value) -> name, "")));
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> c.parser().accept(doubled), c.name());
    assertMentions(e, "duplicate");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  void refusesACaseVariantMember(Case c) {
    byte[] variant =
        c.withPrefix(utf8(withFirstMember(c.json(), (name, value) -> name.toUpperCase(), "")));
    if (c.name().equals("image config")) {
      // an image config is read as maps (labels), where Go keeps both names apart too
      assertDoesNotThrow(() -> c.parser().accept(variant));
      return;
    }
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> c.parser().accept(variant), c.name());
    assertMentions(e, "case");
  }

  @Test
  void aCaseVariantInADescriptorIsRefusedInAnnotationsItIsNot() {
    String other = Digest.sha256(utf8("other")).toString();
    String layer = "\"digest\":\"" + IMAGE + "\"";
    String variant =
        SeedDocuments.manifest().replace(layer, layer + ",\"Digest\":\"" + other + "\"");
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> ManifestCodec.readManifest(utf8(variant)), variant);
    assertMentions(e, "case");

    String annotations =
        SeedDocuments.manifest()
            .replace("\"annotations\":{", "\"annotations\":{\"Org\":\"a\",\"org\":\"b\",");
    assertEquals(
        "b",
        ManifestCodec.readManifest(utf8(annotations)).layers().get(0).annotations().get("org"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("parsers")
  void refusesADepthBombQuickly(Case c) {
    int n = 200_000;
    String bomb = "[".repeat(n) + "]".repeat(n);
    byte[] deep = c.withPrefix(utf8(withFirstMember(c.json(), (name, value) -> "zz", bomb)));
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          RuntimeException e =
              assertThrows(RuntimeException.class, () -> c.parser().accept(deep), c.name());
          assertMentions(e, "depth");
        });
  }

  @Test
  void aSimpleSigningPayloadNamingTwoImagesIsRefused() {
    // first-wins and last-wins readers would disagree on which image this signature vouches for
    String other = Digest.sha256(utf8("other")).toString();
    String raw =
        new String(
                SimpleSigningPayload.create("r.test/a", IMAGE, Map.of()).raw(),
                StandardCharsets.UTF_8)
            .replace(
                "\"docker-manifest-digest\":",
                "\"docker-manifest-digest\":\"" + other + "\",\"docker-manifest-digest\":");
    assertEquals(2, raw.split("docker-manifest-digest").length - 1);
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> SimpleSigningPayload.parse(utf8(raw)));
    assertMentions(e, "duplicate");
  }

  @Test
  void aDocumentThatIsBothManifestAndIndexIsRefusedAsEither() {
    // GHSA-77vh-xpmg-72qh: judged as one kind, pulled as the other
    String entry =
        "{\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"digest\":\""
            + IMAGE
            + "\",\"size\":5}";
    assertAmbiguous(
        () ->
            ManifestCodec.readManifest(
                withFirst(SeedDocuments.manifest(), "\"manifests\":[" + entry + "]")));
    assertAmbiguous(
        () ->
            ManifestCodec.readManifest(
                utf8(
                    SeedDocuments.manifest()
                        .replaceFirst(
                            Pattern.quote(MediaTypes.OCI_MANIFEST), MediaTypes.OCI_INDEX))));
    assertAmbiguous(
        () ->
            ManifestCodec.readIndex(
                withFirst(SeedDocuments.index(), "\"layers\":[" + entry + "]")));
    assertAmbiguous(
        () -> ManifestCodec.readIndex(withFirst(SeedDocuments.index(), "\"config\":{}")));
    assertAmbiguous(
        () ->
            ManifestCodec.readIndex(
                utf8(
                    SeedDocuments.index()
                        .replaceFirst(
                            Pattern.quote(MediaTypes.OCI_INDEX), MediaTypes.OCI_MANIFEST))));
    // empty lists and a null config say nothing, as in containerd's check
    assertEquals(
        1,
        ManifestCodec.readManifest(withFirst(SeedDocuments.manifest(), "\"manifests\":[]"))
            .layers()
            .size());
    assertEquals(
        1,
        ManifestCodec.readIndex(withFirst(SeedDocuments.index(), "\"layers\":[],\"config\":null"))
            .manifests()
            .size());
  }

  private static byte[] withFirst(String document, String members) {
    return utf8("{" + members + "," + document.substring(1));
  }

  private static void assertAmbiguous(org.junit.jupiter.api.function.Executable read) {
    assertMentions(assertThrows(RuntimeException.class, read), "ambiguous");
  }

  interface Renamer {
    String rename(String name, JsonNode value);
  }

  /**
   * {@code json} with one more member before its first: named by {@code renamer} from the first
   * member, with {@code value} or else the first member's value.
   */
  static String withFirstMember(byte[] json, Renamer renamer, String value) {
    JsonNode tree = StrictJson.readTree(json);
    Map.Entry<String, JsonNode> first = tree.properties().iterator().next();
    String text = new String(json, StandardCharsets.UTF_8);
    int brace = text.indexOf('{');
    String member =
        StrictJson.mapper()
                .getNodeFactory()
                .textNode(renamer.rename(first.getKey(), first.getValue()))
            + ":"
            + (value.isEmpty() ? first.getValue().toString() : value)
            + ",";
    return text.substring(0, brace + 1) + member + text.substring(brace + 1);
  }

  static void assertMentions(RuntimeException e, String word) {
    if ("image config is not valid JSON".equals(e.getMessage())) {
      return; // ImageConfig never echoes a reason: a config may carry secrets
    }
    assertTrue(
        String.valueOf(e.getMessage()).toLowerCase().contains(word),
        () -> e.getClass().getSimpleName() + " '" + e.getMessage() + "' should mention " + word);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
