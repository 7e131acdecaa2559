package io.portcullis.core.notation;

import static io.portcullis.core.testing.Mutations.onlyThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.testing.SignedSeeds;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A real Notation JWS envelope with its protected header rebuilt from chosen values of any JSON
 * kind at every member Notation defines (times at the edges of what {@code OffsetDateTime} reads,
 * unknown schemes and algorithms, crit lists naming absent members): parsing returns or throws
 * {@link EnvelopeException}, never another exception the verifier would report as its own fault.
 */
class JwsHeaderProperties {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectNode SEED =
      (ObjectNode) StrictJson.readTree(SignedSeeds.notationJws());
  private static final List<String> MEMBERS =
      List.of(
          "alg",
          "crit",
          "cty",
          SignedAttributes.SIGNING_SCHEME,
          SignedAttributes.SIGNING_TIME,
          SignedAttributes.AUTHENTIC_SIGNING_TIME,
          SignedAttributes.EXPIRY,
          SignedAttributes.VERIFICATION_PLUGIN,
          SignedAttributes.VERIFICATION_PLUGIN_MIN_VERSION);

  static Arbitrary<JsonNode> values() {
    Arbitrary<JsonNode> texts =
        Arbitraries.oneOf(
            Arbitraries.of(
                    "PS256",
                    "ES384",
                    "none",
                    "notary.x509",
                    "notary.x509.signingAuthority",
                    "application/vnd.cncf.notary.payload.v1+json",
                    "2024-01-01T00:00:00Z",
                    "+999999999-12-31T23:59:59.999999999-18:00",
                    "-999999999-01-01T00:00:00+18:00",
                    "2024-02-30T00:00:00Z",
                    "")
                .map(F::textNode),
            Arbitraries.of(MEMBERS).map(F::textNode));
    Arbitrary<JsonNode> scalars =
        Arbitraries.oneOf(
            texts,
            Arbitraries.longs().map(F::numberNode),
            Arbitraries.of(F.nullNode(), F.booleanNode(true), F.numberNode(1.5)));
    return Arbitraries.oneOf(
        scalars,
        scalars
            .list()
            .ofMaxSize(3)
            .map(
                l -> {
                  var array = F.arrayNode();
                  l.forEach(array::add);
                  return array;
                }),
        Arbitraries.just(F.objectNode()));
  }

  @Provide
  Arbitrary<byte[]> envelopes() {
    return Combinators.combine(
            Arbitraries.subsetOf(MEMBERS), values().list().ofSize(MEMBERS.size()))
        .as(
            (chosen, vals) -> {
              ObjectNode header = F.objectNode();
              header.put("alg", "PS256");
              header.putArray("crit").add(SignedAttributes.SIGNING_SCHEME);
              header.put("cty", SignedAttributes.PAYLOAD_CONTENT_TYPE);
              header.put(SignedAttributes.SIGNING_SCHEME, "notary.x509");
              int i = 0;
              for (String member : chosen) {
                header.set(member, vals.get(i++));
              }
              ObjectNode envelope = SEED.deepCopy();
              envelope.put(
                  "protected",
                  Base64.getUrlEncoder()
                      .withoutPadding()
                      .encodeToString(header.toString().getBytes(StandardCharsets.UTF_8)));
              return StrictJson.write(envelope);
            });
  }

  @Property(tries = 3000)
  void protectedHeadersOfAnyKindOnlyThrowEnvelopeException(@ForAll("envelopes") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> EnvelopeFormat.JWS.parse(bytes));
  }
}
