package io.portcullis.core.json;

import static io.portcullis.core.testing.Mutations.onlyThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.RekorBundle;
import io.portcullis.core.cosign.SigstoreJsonSignature;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.DsseSignature;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.notation.EnvelopeException;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.notation.NotationPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.testing.Mutations;
import io.portcullis.core.testing.SeedDocuments;
import io.portcullis.core.testing.SignedSeeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the signed-document parsers over mutated seeds and arbitrary bytes: each returns or
 * throws its one documented exception, quickly; and {@link StrictJson} never reads a document
 * differently from plain Jackson, it only refuses more.
 */
class SignedDocumentProperties {
  private static final byte[] STATEMENT =
      InTotoStatement.about(
              "registry.test/team/app",
              SeedDocuments.IMAGE,
              "https://cosign.sigstore.dev/attestation/vuln/v1",
              JsonNodeFactory.instance.objectNode().putObject("scanner").put("uri", "x"))
          .toJson();
  private static final byte[] SIGSTORE_JSON = SignedSeeds.sigstoreJson();

  @Provide
  Arbitrary<byte[]> dsseEnvelopes() {
    return Mutations.inputsLike(
        List.of(
            new DsseEnvelope(
                    DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
                    STATEMENT,
                    List.of(new DsseSignature("", new byte[] {1, 2, 3})))
                .toJson()));
  }

  @Property(tries = 2000)
  void dsseEnvelopes(@ForAll("dsseEnvelopes") byte[] bytes) {
    onlyThrows(InvalidPayloadException.class, () -> DsseEnvelope.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> statements() {
    return Mutations.inputsLike(List.of(STATEMENT));
  }

  @Property(tries = 2000)
  void inTotoStatements(@ForAll("statements") byte[] bytes) {
    onlyThrows(InvalidPayloadException.class, () -> InTotoStatement.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> simpleSigningPayloads() {
    return Mutations.inputsLike(
        List.of(
            SimpleSigningPayload.create("r.test/a", SeedDocuments.IMAGE, Map.of("k", "v")).raw(),
            SigstoreJsonSignature.parse(SIGSTORE_JSON).payload()));
  }

  @Property(tries = 2000)
  void simpleSigningPayloads(@ForAll("simpleSigningPayloads") byte[] bytes) {
    onlyThrows(InvalidPayloadException.class, () -> SimpleSigningPayload.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> sigstoreJsonSignatures() {
    return Mutations.inputsLike(List.of(SIGSTORE_JSON));
  }

  @Property(tries = 1000)
  void sigstoreJsonSignatures(@ForAll("sigstoreJsonSignatures") byte[] bytes) {
    onlyThrows(InvalidPayloadException.class, () -> SigstoreJsonSignature.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> rekorBundles() {
    return Mutations.inputsLike(
        List.of(
            ("{\"SignedEntryTimestamp\":\"MEUCIQ==\",\"Payload\":{\"body\":\"e30=\","
                    + "\"integratedTime\":1700000000,\"logIndex\":2,\"logID\":\"abcd\"}}")
                .getBytes(StandardCharsets.UTF_8)));
  }

  @Property(tries = 1000)
  void rekorBundles(@ForAll("rekorBundles") byte[] bytes) {
    onlyThrows(
        InvalidPayloadException.class,
        () -> RekorBundle.parse(new String(bytes, StandardCharsets.UTF_8)));
  }

  @Provide
  Arbitrary<byte[]> notationPayloads() {
    return Mutations.inputsLike(
        List.of(
            new NotationPayload(Descriptor.of(MediaTypes.OCI_MANIFEST, SeedDocuments.IMAGE, 5))
                .toJson()));
  }

  @Property(tries = 1000)
  void notationPayloads(@ForAll("notationPayloads") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> NotationPayload.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> jwsEnvelopes() {
    return Mutations.inputsLike(List.of(SignedSeeds.notationJws()));
  }

  @Property(tries = 2000)
  void jwsEnvelopes(@ForAll("jwsEnvelopes") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> EnvelopeFormat.JWS.parse(bytes));
  }

  @Provide
  Arbitrary<byte[]> anyJson() {
    return Mutations.inputsLike(
        List.of(
            STATEMENT,
            SeedDocuments.manifest().getBytes(StandardCharsets.UTF_8),
            SignedSeeds.imageManifest(),
            SIGSTORE_JSON,
            SignedSeeds.notationJws()));
  }

  @Property(tries = 3000)
  void strictJsonOnlyRefusesMoreThanJackson(@ForAll("anyJson") byte[] bytes) {
    JsonNode strict;
    try {
      strict = StrictJson.readTree(bytes);
    } catch (StrictJson.InvalidJsonException e) {
      return;
    }
    JsonNode plain;
    try {
      plain = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError("plain Jackson refuses what StrictJson accepts: " + e, e);
    }
    assertEquals(plain, strict);
  }
}
