package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a token's identity is worth now: a robot's from the store (gone once revoked, with the
 * current roles otherwise), other identities as they are; and routing of names to their source.
 */
class AuthenticatorTest {
  @TempDir Path dir;

  @Test
  void aRobotsTokenIdentityFollowsTheStore() throws IOException {
    RobotStore store = RobotStore.open(dir.resolve("robots.json"));
    String secret =
        store.create("ci-a", List.of("dev"), List.of("team/**"), Duration.ofHours(1)).secret();
    Authenticator auth = new Authenticator(Optional.empty(), Optional.of(store), List.of());
    Identity issued = auth.verify("robot$ci-a", secret.toCharArray()).orElseThrow();
    assertEquals(Optional.of(issued), auth.current(issued));
    assertTrue(auth.stillKnown(issued));

    // Another process (robot revoke) changes the file; the gateway's periodic refresh reads it.
    RobotStore.open(dir.resolve("robots.json")).revoke("ci-a");
    auth.refresh();
    assertEquals(Optional.empty(), auth.current(issued));
    assertFalse(auth.stillKnown(issued), "no new token from a refresh token");
  }

  @Test
  void otherIdentitiesAreTakenAsTheyAre() {
    Authenticator auth = new Authenticator(Optional.empty(), Optional.empty(), List.of());
    Identity oidc = new Identity("oidc:https://ci:x", Identity.Kind.OIDC, List.of("r"), List.of());
    assertEquals(Optional.of(oidc), auth.current(oidc));
    Identity robot = new Identity("robot$x", Identity.Kind.ROBOT, List.of("r"), List.of());
    assertEquals(Optional.empty(), auth.current(robot), "no robot store: no robots");
    assertEquals(Optional.empty(), auth.verify("robot$x", "s".toCharArray()));
    assertEquals(Optional.empty(), auth.verify("oidc", "token".toCharArray()), "no issuers");
    assertEquals(Optional.empty(), auth.verify("alice", "pw".toCharArray()), "no htpasswd");
  }
}
