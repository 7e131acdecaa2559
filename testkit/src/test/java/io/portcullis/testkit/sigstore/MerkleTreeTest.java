package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static final HexFormat HEX = HexFormat.of();

  // the inputs and roots of the RFC 6962 reference implementation's test vectors
  // (certificate-transparency's merkle tree tests)
  private static final List<String> LEAVES =
      List.of(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");
  private static final List<String> ROOTS =
      List.of(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void rootsAreTheReferenceVectorsAndAnIndependentStackComputation() {
    MerkleTree tree = new MerkleTree();
    for (int n = 0; n < LEAVES.size(); n++) {
      tree.append(HEX.parseHex(LEAVES.get(n)));
      assertEquals(ROOTS.get(n), HEX.formatHex(tree.rootHash(n + 1)), "root of " + (n + 1));
      assertArrayEquals(stackRoot(n + 1), tree.rootHash(n + 1));
    }
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        HEX.formatHex(tree.rootHash(0)));
  }

  @Test
  void everyAuditPathVerifiesByTheRfc9162AlgorithmAndNoOtherLeafDoes() {
    MerkleTree tree = new MerkleTree();
    for (int k = 0; k < 13; k++) {
      tree.append(new byte[] {(byte) k, 7});
    }
    for (long size = 1; size <= 13; size++) {
      byte[] root = tree.rootHash(size);
      for (long index = 0; index < size; index++) {
        List<byte[]> path = tree.auditPath(index, size);
        byte[] leaf = {(byte) index, 7};
        assertArrayEquals(root, rootFromProof(index, size, leaf, path), index + "/" + size);
        byte[] other = {(byte) index, 8};
        assertEquals(
            false,
            Arrays.equals(root, rootFromProof(index, size, other, path)),
            "another leaf must not verify");
      }
    }
  }

  /** RFC 9162 section 2.1.3.2, written from the RFC independently of MerkleTree. */
  private static byte[] rootFromProof(long index, long size, byte[] leaf, List<byte[]> path) {
    long fn = index;
    long sn = size - 1;
    byte[] r = hash(new byte[] {0}, leaf);
    for (byte[] p : path) {
      if (sn == 0) {
        return new byte[0];
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = hash(new byte[] {1}, p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = hash(new byte[] {1}, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : new byte[0];
  }

  /**
   * The tree hash by the usual stack of perfect subtrees, independent of MerkleTree's recursion.
   */
  private static byte[] stackRoot(int n) {
    Deque<byte[]> stack = new ArrayDeque<>();
    Deque<Integer> heights = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      byte[] h = hash(new byte[] {0}, HEX.parseHex(LEAVES.get(i)));
      int height = 0;
      while (!heights.isEmpty() && heights.peek() == height) {
        h = hash(new byte[] {1}, stack.pop(), h);
        heights.pop();
        height++;
      }
      stack.push(h);
      heights.push(height);
    }
    byte[] r = stack.pop();
    while (!stack.isEmpty()) {
      r = hash(new byte[] {1}, stack.pop(), r);
    }
    return r;
  }

  private static byte[] hash(byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        d.update(p);
      }
      return d.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
