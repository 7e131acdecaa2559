package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.gateway.config.GatewayConfig.PolicyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key replaced in place is a rotation: the policy that names it is reloaded under a new revision
 * (which ends the approvals made under the old key), and a key file that disappears keeps the
 * policy in force rather than opening the gate.
 */
class PolicyHolderTest {
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [release.pub]}
      policies:
        - name: everything
          scopes: ["**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
      """;

  @TempDir Path dir;
  private Path policy;
  private Path key;
  private PolicyHolder holder;

  @BeforeEach
  void load() throws Exception {
    policy = dir.resolve("policy.yaml");
    key = dir.resolve("release.pub");
    writeKey(Instant.now().minusSeconds(60));
    Files.writeString(policy, POLICY);
    holder = new PolicyHolder(new PolicyConfig(policy, Duration.ofSeconds(1)));
  }

  @Test
  void aKeyReplacedInPlaceIsANewRevision() throws Exception {
    String before = holder.current().policy().revision();
    assertFalse(holder.reloadIfChanged(), "nothing changed yet");

    writeKey(Instant.now());
    assertTrue(holder.reloadIfChanged(), "the policy text is the same, its key is not");
    assertNotEquals(before, holder.current().policy().revision());
    assertFalse(holder.reloadIfChanged(), "reloaded once");
  }

  @Test
  void aKeyFileThatDisappearsKeepsThePolicyInForce() throws Exception {
    String before = holder.current().policy().revision();
    Files.delete(key);
    assertFalse(holder.reloadIfChanged());
    assertEquals(before, holder.current().policy().revision());
  }

  /** A new key, its file stamped {@code at} so the change shows on any file system's clock. */
  private void writeKey(Instant at) throws Exception {
    Files.writeString(key, PublicKeyPem.encode(KeyAlgorithm.DEFAULT.generate().getPublic()));
    Files.setLastModifiedTime(key, FileTime.from(at));
  }
}
