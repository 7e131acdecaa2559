package io.portcullis.core.sigstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Merkle tree hashing and inclusion proofs of <a
 * href="https://www.rfc-editor.org/rfc/rfc9162#section-2.1">RFC 9162 section 2.1</a> (RFC 6962's
 * tree, as Rekor and CT logs build it): a leaf hashes as {@code SHA-256(0x00 || leaf)}, an inner
 * node as {@code SHA-256(0x01 || left || right)}. Written here rather than taken from a library
 * because no maintained Java one is small enough to bring in for twenty lines.
 */
public final class MerkleProofs {
  /** The size of every hash in the tree. */
  public static final int HASH_BYTES = 32;

  /** More audit-path hashes than a tree of 2^64 leaves can need: refused before any hashing. */
  static final int MAX_PATH = 64;

  private MerkleProofs() {}

  /** {@code SHA-256(0x00 || leaf)}. */
  public static byte[] leafHash(byte[] leaf) {
    MessageDigest d = sha256();
    d.update((byte) 0x00);
    d.update(leaf);
    return d.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest d = sha256();
    d.update((byte) 0x01);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /**
   * The root that the audit path {@code proof} (leaf side first) leads to from {@code leafHash} at
   * {@code index} in a tree of {@code size} leaves (RFC 9162 section 2.1.3.2). A path of the wrong
   * length for that index and size is refused, so a proof cannot be padded or cut short.
   */
  public static byte[] rootFromInclusionProof(
      long index, long size, byte[] leafHash, List<byte[]> proof)
      throws SigstoreVerificationException {
    if (size <= 0 || index < 0 || index >= size) {
      throw new SigstoreVerificationException(
          "inclusion proof index " + index + " is not inside a tree of size " + size);
    }
    if (proof.size() > MAX_PATH) {
      throw new SigstoreVerificationException("inclusion proof has too many hashes");
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (p.length != HASH_BYTES) {
        throw new SigstoreVerificationException("inclusion proof hash is not 32 bytes");
      }
      if (sn == 0) {
        throw new SigstoreVerificationException("inclusion proof has more hashes than its path");
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        // a right edge node whose subtree is not full: climb past the levels it has no sibling on
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      throw new SigstoreVerificationException("inclusion proof has fewer hashes than its path");
    }
    return r;
  }

  /** Passes when the proof leads from {@code leafHash} to {@code expectedRoot}. */
  public static void verifyInclusion(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] expectedRoot)
      throws SigstoreVerificationException {
    byte[] root = rootFromInclusionProof(index, size, leafHash, proof);
    if (!MessageDigest.isEqual(root, expectedRoot)) {
      throw new SigstoreVerificationException(
          "inclusion proof does not lead to the root hash of tree size " + size);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
