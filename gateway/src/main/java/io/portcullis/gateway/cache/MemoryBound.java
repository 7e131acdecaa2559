package io.portcullis.gateway.cache;

/**
 * What the cache's in-memory maps may hold, and what an entry weighs in it. The weight is the
 * entry's key and payload plus a fixed {@link #ENTRY_OVERHEAD}: an outsider chooses both the
 * payload (a manifest of a few bytes, an empty referrers list) and the key (repository names up to
 * 255 characters, tags up to 128), and without the overhead a bound in bytes would admit many times
 * its size in entries of a few bytes each.
 */
final class MemoryBound {
  /**
   * The weight each in-memory map of the manifest cache may reach (manifests, small blobs,
   * referrers lists, tags, blob links): 64 MiB, but at most a sixteenth of the heap, so that they
   * stay within a third of even a small heap (8 MiB each at {@code -Xmx128m}) whatever outsiders
   * make the gateway fetch; the disk holds the rest.
   */
  static final long MAX_BYTES = Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 16);

  /**
   * Heap an entry costs besides its key's characters and its payload's bytes. Measured: 160 bytes
   * per entry of a Caffeine cache with a short String key and a small record value (the cache's
   * node, the map's node, the String's and array's headers); a parsed digest adds about 130.
   */
  static final int ENTRY_OVERHEAD = 256;

  private MemoryBound() {}

  /** The weight of an entry with this key and a payload of {@code payloadBytes}. */
  static int weight(String key, long payloadBytes) {
    return (int) Math.min(Integer.MAX_VALUE, ENTRY_OVERHEAD + key.length() + payloadBytes);
  }
}
