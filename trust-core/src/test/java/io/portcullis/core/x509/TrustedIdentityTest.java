package io.portcullis.core.x509;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedIdentityTest {
  private static final X509Certificate RELEASE =
      DevPki.generate(
              Instant.now().minus(Duration.ofHours(1)),
              Duration.ofDays(1),
              "CN=Release\\, Signing, OU=Build, O=Example, L=Seattle, ST=WA, C=US")
          .signer();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "*|true",
        "x509.subject: C=US, ST=WA, O=Example|true",
        "x509.subject: C=US, ST=WA, O=Example, CN=Release\\, Signing|true",
        "x509.subject:C=US,ST=WA,O=Example,OU=Build,L=Seattle|true",
        "x509.subject: C=US, ST=WA, O=Example, CN=Release|false",
        "x509.subject: C=US, ST=OR, O=Example|false",
        "x509.subject: C=US, ST=WA, O=example|false",
        "x509.subject: C=US, ST=WA, O=Example, OU=Other|false"
      })
  void matchesWhenEveryListedRdnIsPresentAndEqual(String identity, boolean expected) {
    assertEquals(expected, TrustedIdentity.parse(identity).matches(RELEASE), identity);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "CN=Release",
        "x509.subject:",
        "x509.subject: CN=Release",
        "x509.subject: C=US, ST=WA",
        "x509.subject: C=US, ST=WA, O=A, O=B",
        "x509.subject: C=US, ST=WA, O",
        "x509.subject: C=US+ST=WA, O=A"
      })
  void malformedIdentitiesAreRefusedWithAReason(String identity) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrustedIdentity.parse(identity));
    assertTrue(e.getMessage().startsWith("trusted identity"), e.getMessage());
  }
}
