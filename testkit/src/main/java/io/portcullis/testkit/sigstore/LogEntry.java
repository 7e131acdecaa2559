package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * One entry of a {@link RekorLog}, as a bundle's {@code TransparencyLogEntry} records it.
 *
 * @param kind {@code hashedrekord} or {@code dsse}
 * @param version the kind's version ({@code 0.0.1})
 * @param logIndex the entry's index
 * @param integratedTime seconds since the epoch
 * @param logId the log's key id
 * @param body the canonicalized entry body
 * @param signedEntryTimestamp the SET (the inclusion promise)
 * @param proof the inclusion proof with its checkpoint
 * @param treeId the log's tree id (Rekor's entry UUIDs start with it)
 */
public record LogEntry(
    String kind,
    String version,
    long logIndex,
    long integratedTime,
    byte[] logId,
    byte[] body,
    byte[] signedEntryTimestamp,
    Proof proof,
    long treeId) {

  public LogEntry {
    logId = logId.clone();
    body = body.clone();
    signedEntryTimestamp = signedEntryTimestamp.clone();
  }

  @Override
  public byte[] logId() {
    return logId.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  @Override
  public byte[] signedEntryTimestamp() {
    return signedEntryTimestamp.clone();
  }

  /**
   * An RFC 6962 inclusion proof.
   *
   * @param logIndex the leaf index
   * @param rootHash the root it leads to
   * @param treeSize the size of that tree
   * @param hashes the audit path, leaf side first
   * @param checkpoint the signed note committing to the root
   */
  public record Proof(
      long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, String checkpoint) {
    public Proof {
      rootHash = rootHash.clone();
      hashes = hashes.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] rootHash() {
      return rootHash.clone();
    }
  }

  /** This entry with another SET (the fault "SET over another body"). */
  public LogEntry withSignedEntryTimestamp(byte[] set) {
    return new LogEntry(kind, version, logIndex, integratedTime, logId, body, set, proof, treeId);
  }

  /** Rekor's entry UUID: the tree id (16 hex digits) and the leaf hash. */
  public String uuid() {
    return String.format("%016x", treeId) + HexFormat.of().formatHex(MerkleTree.leafHash(body));
  }

  /** The bundle's {@code tlogEntries[]} element (protobuf JSON: int64 as strings, bytes base64). */
  public ObjectNode toBundleJson() {
    Base64.Encoder b64 = Base64.getEncoder();
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.put("logIndex", Long.toString(logIndex));
    e.putObject("logId").put("keyId", b64.encodeToString(logId));
    e.putObject("kindVersion").put("kind", kind).put("version", version);
    e.put("integratedTime", Long.toString(integratedTime));
    e.putObject("inclusionPromise")
        .put("signedEntryTimestamp", b64.encodeToString(signedEntryTimestamp));
    ObjectNode p = e.putObject("inclusionProof");
    p.put("logIndex", Long.toString(proof.logIndex()));
    p.put("rootHash", b64.encodeToString(proof.rootHash()));
    p.put("treeSize", Long.toString(proof.treeSize()));
    if (!proof.hashes().isEmpty()) {
      ArrayNode hashes = p.putArray("hashes");
      proof.hashes().forEach(h -> hashes.add(b64.encodeToString(h)));
    }
    p.putObject("checkpoint").put("envelope", proof.checkpoint());
    e.put("canonicalizedBody", b64.encodeToString(body));
    return e;
  }
}
