package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RekorLogTest {
  private final RekorLog log = new RekorLog("rekor.test", 42, EcKeys.generate(EcKeys.Curve.P256));

  @Test
  void theSetIsTheLogKeysSignatureOverRekorsCanonicalJson() throws Exception {
    log.append(
        "hashedrekord", "0.0.1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), Instant.EPOCH);
    byte[] body = "{\"b\":2}".getBytes(StandardCharsets.UTF_8);
    LogEntry e = log.append("hashedrekord", "0.0.1", body, Instant.ofEpochSecond(1700000000));
    assertEquals(1, e.logIndex());
    assertEquals(1700000000, e.integratedTime());
    // written out by hand: keys sorted, no spaces, integers as numbers, logID in hex
    String payload =
        "{\"body\":\""
            + Base64.getEncoder().encodeToString(body)
            + "\",\"integratedTime\":1700000000,\"logID\":\""
            + HexFormat.of().formatHex(e.logId())
            + "\",\"logIndex\":1}";
    assertTrue(
        verifies(
            log.publicKey(), payload.getBytes(StandardCharsets.UTF_8), e.signedEntryTimestamp()));
    assertFalse(
        verifies(
            log.publicKey(),
            payload.replace("1700000000", "1700000001").getBytes(StandardCharsets.UTF_8),
            e.signedEntryTimestamp()));
    assertArrayEquals(
        MerkleTree.sha256(log.publicKey().getEncoded()),
        e.logId(),
        "log id is SHA-256 of the SPKI");
  }

  @Test
  void theCheckpointIsASignedNoteOverTheProofsRoot() throws Exception {
    LogEntry e = null;
    for (int k = 0; k < 5; k++) {
      e = log.append("dsse", "0.0.1", new byte[] {(byte) k}, Instant.EPOCH);
    }
    String checkpoint = e.proof().checkpoint();
    int split = checkpoint.indexOf("\n\n");
    String note = checkpoint.substring(0, split + 1);
    String[] lines = note.split("\n");
    assertEquals("rekor.test - 42", lines[0]);
    assertEquals("5", lines[1]);
    assertArrayEquals(e.proof().rootHash(), Base64.getDecoder().decode(lines[2]));
    assertTrue(lines[3].matches("Timestamp: [0-9]+"), lines[3]);
    assertEquals(5, e.proof().treeSize());
    String signatureLine = checkpoint.substring(split + 2).strip();
    assertTrue(signatureLine.startsWith("\u2014 rekor.test "), signatureLine);
    byte[] hinted =
        Base64.getDecoder().decode(signatureLine.substring(signatureLine.lastIndexOf(' ') + 1));
    assertArrayEquals(Arrays.copyOf(e.logId(), 4), Arrays.copyOf(hinted, 4), "key hint");
    byte[] sig = Arrays.copyOfRange(hinted, 4, hinted.length);
    assertTrue(verifies(log.publicKey(), note.getBytes(StandardCharsets.UTF_8), sig));
    assertTrue(checkpoint.endsWith("\n"));
  }

  @Test
  void entryUuidIsTreeIdAndLeafHash() {
    LogEntry e = log.append("dsse", "0.0.1", new byte[] {1}, Instant.EPOCH);
    assertEquals(
        "000000000000002a" + HexFormat.of().formatHex(MerkleTree.leafHash(new byte[] {1})),
        e.uuid());
  }

  static boolean verifies(PublicKey key, byte[] data, byte[] sig) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initVerify(key);
    s.update(data);
    return s.verify(sig);
  }
}
