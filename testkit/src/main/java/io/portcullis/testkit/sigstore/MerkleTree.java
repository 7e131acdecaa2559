package io.portcullis.testkit.sigstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory <a href="https://www.rfc-editor.org/rfc/rfc6962#section-2.1">RFC 6962 Merkle
 * tree</a>: leaf hashes {@code SHA-256(0x00 || leaf)}, node hashes {@code SHA-256(0x01 || left ||
 * right)}, the tree hash {@code MTH} and audit paths {@code PATH(m, D[n])} computed by the
 * recursive definitions of section 2.1, which is plenty fast for the few hundred entries a test
 * logs. Not thread-safe; {@link RekorLog} guards it.
 */
public final class MerkleTree {
  private final List<byte[]> leafHashes = new ArrayList<>();

  /** Appends a leaf and returns its index. */
  public long append(byte[] leaf) {
    leafHashes.add(leafHash(leaf));
    return leafHashes.size() - 1L;
  }

  public long size() {
    return leafHashes.size();
  }

  /** {@code MTH(D[0:size])}: the root of the first {@code size} leaves. */
  public byte[] rootHash(long size) {
    checkSize(size);
    return size == 0 ? sha256(new byte[0]) : mth(0, (int) size);
  }

  /** {@code PATH(index, D[0:size])}: the audit path of leaf {@code index}, leaf side first. */
  public List<byte[]> auditPath(long index, long size) {
    checkSize(size);
    if (index < 0 || index >= size) {
      throw new IllegalArgumentException("leaf " + index + " is not in a tree of " + size);
    }
    List<byte[]> path = new ArrayList<>();
    path((int) index, 0, (int) size, path);
    return path;
  }

  /** {@code SHA-256(0x00 || leaf)}. */
  public static byte[] leafHash(byte[] leaf) {
    MessageDigest d = digest();
    d.update((byte) 0);
    d.update(leaf);
    return d.digest();
  }

  /** {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest d = digest();
    d.update((byte) 1);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  private byte[] mth(int from, int to) {
    if (to - from == 1) {
      return leafHashes.get(from);
    }
    int k = split(to - from);
    return nodeHash(mth(from, from + k), mth(from + k, to));
  }

  // PATH(m, D[from:to]) appends the siblings from the leaf upward
  private void path(int m, int from, int to, List<byte[]> out) {
    if (to - from == 1) {
      return;
    }
    int k = split(to - from);
    if (m < k) {
      path(m, from, from + k, out);
      out.add(mth(from + k, to));
    } else {
      path(m - k, from + k, to, out);
      out.add(mth(from, from + k));
    }
  }

  /** The largest power of two smaller than {@code n} (n > 1). */
  private static int split(int n) {
    return Integer.highestOneBit(n - 1);
  }

  private void checkSize(long size) {
    if (size < 0 || size > leafHashes.size()) {
      throw new IllegalArgumentException("tree has " + leafHashes.size() + " leaves, not " + size);
    }
  }

  static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
