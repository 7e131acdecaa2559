package io.portcullis.core.sigstore;

import java.util.List;

/**
 * An RFC 6962 inclusion proof of a log entry, and the signed checkpoint (a <a
 * href="https://github.com/transparency-dev/formats/blob/main/log/README.md">signed note</a>) that
 * commits to the root it proves against.
 *
 * @param logIndex the entry's index in its shard (not the global index)
 * @param rootHash the Merkle root the proof leads to
 * @param treeSize the tree size of that root
 * @param hashes the audit path, leaf side first
 * @param checkpoint the checkpoint envelope text ({@code checkpoint.envelope})
 */
public record InclusionProof(
    long logIndex, byte[] rootHash, long treeSize, List<byte[]> hashes, String checkpoint) {

  public InclusionProof {
    rootHash = rootHash.clone();
    hashes = hashes.stream().map(byte[]::clone).toList();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }
}
