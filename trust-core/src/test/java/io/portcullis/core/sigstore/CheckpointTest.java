package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {
  private static final String ROOT = "vz8cWrY7CxbLJb3KSgqqhJ36LYWBmsHQIosDW+jz6Mo=";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "origin\n1\n" + ROOT + "\n",
        "origin\n1\n" + ROOT + "\n\n",
        "origin\n1\n" + ROOT + "\n\n\u2014 name AAAAAAA=",
        "origin\nx\n" + ROOT + "\n\n\u2014 name AAAAAAA=\n",
        "origin\n01\n" + ROOT + "\n\n\u2014 name AAAAAAA=\n",
        "origin\n-1\n" + ROOT + "\n\n\u2014 name AAAAAAA=\n",
        "origin\n1\nnot base64!\n\n\u2014 name AAAAAAA=\n",
        "\n1\n" + ROOT + "\n\n\u2014 name AAAAAAA=\n",
        "origin\n1\n\n\u2014 name AAAAAAA=\n",
        "origin\n1\n" + ROOT + "\n\n- name AAAAAAA=\n",
        "origin\n1\n" + ROOT + "\n\n\u2014 name AAAA\n",
        "origin\n1\n" + ROOT + "\n\n\u2014 name AAAAAAA= extra\n",
      })
  void malformedCheckpointsAreRefused(String envelope) {
    assertThrows(SigstoreVerificationException.class, () -> Checkpoint.parse(envelope));
  }

  @Test
  void extensionLinesAreSignedText() throws Exception {
    Checkpoint c = Checkpoint.parse("o - 1\n5\n" + ROOT + "\nTimestamp: 1\n\n\u2014 o AAAAAAA=\n");
    assertEquals("o - 1\n5\n" + ROOT + "\nTimestamp: 1\n", c.signedText());
    assertEquals(5, c.size());
    assertEquals(1, c.signatures().size());
  }

  /** The Rekor v2 (Ed25519) checkpoint of the staging fixture, with one character changed. */
  @Test
  void aChangedEd25519CheckpointFails() {
    SigstoreBundle bundle = LogFixtures.bundle("bundle-with-rekor-v2-entry.sigstore");
    TlogEntry real = bundle.tlogEntries().get(0);
    InclusionProof proof = real.inclusionProof().orElseThrow();
    String tampered = proof.checkpoint().replace("\n\n", "\nextension\n\n");
    TlogEntry entry =
        new TlogEntry(
            real.logIndex(),
            real.logId(),
            real.kind(),
            real.version(),
            real.integratedTime(),
            real.canonicalizedBody(),
            Optional.empty(),
            Optional.of(
                new InclusionProof(
                    proof.logIndex(),
                    proof.rootHash(),
                    proof.treeSize(),
                    proof.hashes(),
                    tampered)));
    SigstoreVerificationException e =
        assertThrows(
            SigstoreVerificationException.class,
            () -> TlogVerifier.verifyInclusion(entry, LogFixtures.root(LogFixtures.STAGING)));
    assertEquals(
        "checkpoint signature of log2025-alpha1.rekor.sigstage.dev is not valid", e.getMessage());
  }

  @Test
  void theEd25519KeyHintIsTheNoteKeyIdAndTheEcdsaOneTheKeyHash() {
    TrustedRoot root = LogFixtures.root(LogFixtures.STAGING);
    for (TransparencyLog log : root.tlogs()) {
      byte[] hint =
          Checkpoint.keyHint(log.publicKeyDer(), log.baseUrl().replaceFirst("^https://", ""));
      byte[] id = log.logId();
      assertTrue(
          java.util.Arrays.equals(hint, java.util.Arrays.copyOf(id, 4)),
          log.baseUrl() + " names its checkpoints by the first bytes of its log id");
    }
  }
}
