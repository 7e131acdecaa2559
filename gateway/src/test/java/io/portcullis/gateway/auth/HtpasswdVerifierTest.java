package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bcrypt users in the three prefixes htpasswd tools write; wrong or unknown is empty. */
class HtpasswdVerifierTest {

  @ParameterizedTest
  @ValueSource(strings = {"2y", "2a", "2b"})
  void verifiesBcryptOfEachPrefix(String version) {
    String hash =
        OpenBSDBCrypt.generate(
            version, "s3cret".toCharArray(), new SecureRandom().generateSeed(16), 4);
    AccessPolicy policy =
        new AccessPolicy(
            AccessPolicyTest.config(
                "auth: {roles: {reader: [{repositories: [\"**\"], actions: [pull]}]}}\n"));
    HtpasswdVerifier v = new HtpasswdVerifier(Map.of("alice", hash), policy);
    Optional<Identity> alice = v.verify("alice", "s3cret".toCharArray());
    assertEquals(Identity.Kind.USER, alice.orElseThrow().kind());
    assertEquals("alice", alice.get().subject());
    assertEquals(List.of(), alice.get().roles(), "alice has no entry in auth.users");
    assertTrue(v.verify("alice", "wrong".toCharArray()).isEmpty());
    assertTrue(v.verify("alice", new char[0]).isEmpty());
    assertTrue(v.verify("alice", "x".repeat(200).toCharArray()).isEmpty());
    assertTrue(v.verify("bob", "s3cret".toCharArray()).isEmpty());
  }
}
