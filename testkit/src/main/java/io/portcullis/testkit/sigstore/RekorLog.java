package io.portcullis.testkit.sigstore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Rekor-style transparency log: an ECDSA key, an RFC 6962 {@link MerkleTree} of canonicalized
 * entry bodies, and for each appended entry what Rekor v1 returns: the integrated time, the log
 * index, the <a
 * href="https://github.com/sigstore/rekor/blob/main/pkg/generated/models/log_entry.go">SignedEntryTimestamp</a>
 * (the log key's signature over the canonical JSON of {@code body}, {@code integratedTime}, {@code
 * logID}, {@code logIndex}), an inclusion proof and a checkpoint (a <a
 * href="https://github.com/transparency-dev/formats/blob/main/log/README.md">signed note</a> {@code
 * <host> - <treeID>\n<size>\n<base64 root>\n}, signed by {@code — <host> base64(keyhint || sig)}
 * where the key hint is the first four bytes of the log id). Thread-safe.
 */
public final class RekorLog {
  private final String host;
  private final long treeId;
  private final KeyPair key;
  private final byte[] logId;
  private final MerkleTree tree = new MerkleTree();
  // strictly increasing, as a real log's checkpoint times are
  private final java.util.concurrent.atomic.AtomicLong checkpointNanos =
      new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis() * 1_000_000L);

  /**
   * @param host the log's host name: the checkpoint origin's first word and the note signer's name
   * @param treeId the tree id of the checkpoint origin (Rekor's shard id)
   */
  public RekorLog(String host, long treeId, KeyPair key) {
    this.host = host;
    this.treeId = treeId;
    this.key = key;
    this.logId = EcKeys.logId(key.getPublic());
  }

  public PublicKey publicKey() {
    return key.getPublic();
  }

  public byte[] logId() {
    return logId.clone();
  }

  public String host() {
    return host;
  }

  /** The checkpoint origin line, {@code <host> - <treeID>}. */
  public String origin() {
    return host + " - " + treeId;
  }

  public long treeId() {
    return treeId;
  }

  /**
   * Appends an entry body at {@code integratedTime} and returns the entry with its SET, its
   * inclusion proof against the tree as it now is, and that tree's signed checkpoint.
   */
  public synchronized LogEntry append(
      String kind, String version, byte[] canonicalBody, Instant integratedTime) {
    long index = tree.append(canonicalBody);
    long size = tree.size();
    byte[] root = tree.rootHash(size);
    long time = integratedTime.getEpochSecond();
    return new LogEntry(
        kind,
        version,
        index,
        time,
        logId,
        canonicalBody,
        signedEntryTimestamp(canonicalBody, time, index),
        new LogEntry.Proof(index, root, size, tree.auditPath(index, size), checkpoint(size, root)),
        treeId);
  }

  /** The log's SET over {@code body} as if it were entry {@code logIndex} at {@code time}. */
  public byte[] signedEntryTimestamp(byte[] body, long integratedTime, long logIndex) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("body", Base64.getEncoder().encodeToString(body));
    payload.put("integratedTime", integratedTime);
    payload.put("logID", HexFormat.of().formatHex(logId));
    payload.put("logIndex", logIndex);
    return EcKeys.sign(key.getPrivate(), CanonicalJson.write(payload));
  }

  /** A signed checkpoint of a tree of {@code size} leaves with root {@code rootHash}. */
  public String checkpoint(long size, byte[] rootHash) {
    // Rekor v1 adds the signing time as a note extension line, which verifiers must accept
    String note =
        origin()
            + "\n"
            + size
            + "\n"
            + Base64.getEncoder().encodeToString(rootHash)
            + "\nTimestamp: "
            + checkpointNanos.incrementAndGet()
            + "\n";
    byte[] sig = EcKeys.sign(key.getPrivate(), note.getBytes(StandardCharsets.UTF_8));
    byte[] hinted = ByteBuffer.allocate(4 + sig.length).put(logId, 0, 4).put(sig).array();
    return note + "\n\u2014 " + host + " " + Base64.getEncoder().encodeToString(hinted) + "\n";
  }

  /** The current tree's root hash, for tests. */
  public synchronized byte[] rootHash() {
    return tree.rootHash(tree.size());
  }

  public synchronized long size() {
    return tree.size();
  }
}
