package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inclusion proofs against trees built here by the recursive definitions of RFC 6962 section 2.1
 * (MTH and PATH), which share no code with the iterative verifier.
 */
class MerkleProofsTest {

  private static List<byte[]> leaves(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("leaf " + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static int split(int n) {
    int k = 1;
    while (k << 1 < n) {
      k <<= 1;
    }
    return k;
  }

  private static byte[] mth(List<byte[]> d) {
    if (d.size() == 1) {
      return MerkleProofs.leafHash(d.get(0));
    }
    int k = split(d.size());
    return MerkleProofs.nodeHash(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
  }

  private static List<byte[]> path(int m, List<byte[]> d) {
    List<byte[]> out = new ArrayList<>();
    if (d.size() == 1) {
      return out;
    }
    int k = split(d.size());
    if (m < k) {
      out.addAll(path(m, d.subList(0, k)));
      out.add(mth(d.subList(k, d.size())));
    } else {
      out.addAll(path(m - k, d.subList(k, d.size())));
      out.add(mth(d.subList(0, k)));
    }
    return out;
  }

  @Test
  void everyLeafOfEveryTreeUpTo17ProvesItsInclusion() throws Exception {
    for (int size = 1; size <= 17; size++) {
      List<byte[]> d = leaves(size);
      byte[] root = mth(d);
      for (int i = 0; i < size; i++) {
        byte[] leaf = MerkleProofs.leafHash(d.get(i));
        List<byte[]> proof = path(i, d);
        assertArrayEquals(
            root,
            MerkleProofs.rootFromInclusionProof(i, size, leaf, proof),
            "leaf " + i + " of " + size);
        MerkleProofs.verifyInclusion(i, size, leaf, proof, root);
      }
    }
  }

  @Test
  void aProofOfAnotherLeafIndexSizeOrRootFails() {
    for (int size = 2; size <= 17; size++) {
      List<byte[]> d = leaves(size);
      byte[] root = mth(d);
      for (int i = 0; i < size; i++) {
        int index = i;
        int n = size;
        byte[] leaf = MerkleProofs.leafHash(d.get(i));
        byte[] other = MerkleProofs.leafHash(d.get((i + 1) % size));
        List<byte[]> proof = path(i, d);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion(index, n, other, proof, root),
            "other leaf at " + i + " of " + size);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion((index + 1) % n, n, leaf, proof, root),
            "other index for " + i + " of " + size);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion(index, n + 1, leaf, proof, mth(leaves(n + 1))),
            "other size for " + i + " of " + size);
        List<byte[]> longer = new ArrayList<>(proof);
        longer.add(root);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion(index, n, leaf, longer, root),
            "padded proof for " + i + " of " + size);
        List<byte[]> shorter = proof.subList(0, proof.size() - 1);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion(index, n, leaf, shorter, root),
            "cut proof for " + i + " of " + size);
        List<byte[]> flipped = new ArrayList<>(proof);
        byte[] h = flipped.get(0).clone();
        h[0] ^= 1;
        flipped.set(0, h);
        assertThrows(
            SigstoreVerificationException.class,
            () -> MerkleProofs.verifyInclusion(index, n, leaf, flipped, root),
            "flipped hash for " + i + " of " + size);
      }
    }
  }

  @Test
  void anIndexOutsideTheTreeOrAShortHashIsRefused() {
    byte[] leaf = MerkleProofs.leafHash(new byte[0]);
    assertThrows(
        SigstoreVerificationException.class,
        () -> MerkleProofs.rootFromInclusionProof(1, 1, leaf, List.of()));
    assertThrows(
        SigstoreVerificationException.class,
        () -> MerkleProofs.rootFromInclusionProof(-1, 1, leaf, List.of()));
    assertThrows(
        SigstoreVerificationException.class,
        () -> MerkleProofs.rootFromInclusionProof(0, 0, leaf, List.of()));
    assertThrows(
        SigstoreVerificationException.class,
        () -> MerkleProofs.rootFromInclusionProof(0, 2, leaf, List.of(new byte[31])));
  }
}
