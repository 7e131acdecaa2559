package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --policy} verifies against the trusted root the gateway would use: a {@code
 * sigstore} store with a {@code tuf} mirror (a private Sigstore deployment) is refreshed from that
 * mirror, not given the public-good root; when the mirror is down a NOTE says so and the last
 * verified root serves.
 */
class PolicySigstoreRootsTest {
  @TempDir Path dir;

  @Test
  void aTufMirrorStoreIsRefreshedFromItsMirror() throws IOException {
    int port;
    try (ServerSocket closed = new ServerSocket(0)) {
      port = closed.getLocalPort(); // nothing listens there once closed: the mirror is down
    }
    String mirror = "http://127.0.0.1:" + port + "/tuf";
    Path policy =
        Files.writeString(
            dir.resolve("policy.yaml"),
            "version: 1\ntrustStores:\n  private: {type: sigstore, tuf: {url: '"
                + mirror
                + "'}}\npolicies:\n  - name: p\n    scopes: ['**']\n    signatures:\n"
                + "      anyOf:\n        - {type: cosign, trustStore: private, identities:"
                + " [{issuer: https://issuer.internal, subject: release@corp.internal}]}\n");
    int registry;
    try (ServerSocket closed = new ServerSocket(0)) {
      registry = closed.getLocalPort();
    }
    CliRun run =
        CliRun.of(
            "verify",
            "--insecure-registry=127.0.0.1:" + registry,
            "--policy",
            policy.toString(),
            "127.0.0.1:" + registry + "/team/app:1");
    assertTrue(
        run.out().contains("NOTE trusted root of 'private': the TUF repository " + mirror),
        run.toString());
    assertEquals(ExitCodes.COULD_NOT_VERIFY, run.exitCode(), run.toString());
  }
}
