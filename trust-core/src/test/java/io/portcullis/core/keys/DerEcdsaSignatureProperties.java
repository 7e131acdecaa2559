package io.portcullis.core.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.testing.Mutations;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An ECDSA signature is read from an attacker's annotation or envelope: decoding accepts only the
 * one canonical DER encoding of a pair (so a signature cannot be re-encoded into another that also
 * verifies, as Go's {@code ecdsa.VerifyASN1} refuses them), and never throws.
 */
class DerEcdsaSignatureProperties {

  @Provide
  Arbitrary<byte[]> signatures() {
    Arbitrary<BigInteger> scalars =
        Arbitraries.bigIntegers()
            .between(BigInteger.ONE, BigInteger.TWO.pow(528))
            .edgeCases(c -> c.includeOnly(BigInteger.ONE, BigInteger.TWO.pow(255)));
    Arbitrary<byte[]> valid = Combinators.combine(scalars, scalars).as(DerEcdsaSignature::encode);
    return Arbitraries.oneOf(
        valid,
        valid.flatMap(v -> Mutations.inputsLike(List.of(v))),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(80));
  }

  @Property(tries = 3000)
  void decodesOnlyCanonicalDerAndNeverThrows(@ForAll("signatures") byte[] der) {
    BigInteger[] rs = DerEcdsaSignature.decode(der);
    if (rs != null) {
      assertEquals(2, rs.length);
      assertArrayEquals(der, DerEcdsaSignature.encode(rs[0], rs[1]));
    }
  }
}
