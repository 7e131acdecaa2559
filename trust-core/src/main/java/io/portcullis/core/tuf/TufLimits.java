package io.portcullis.core.tuf;

/**
 * Caps on what a repository can make the client read (<a
 * href="https://theupdateframework.github.io/specification/latest/#detailed-client-workflow">spec
 * 5</a> leaves the values to clients). A file the trusted metadata gives a length for is capped at
 * that length instead; targets always have one.
 *
 * @param rootBytes each {@code N.root.json} (public-good roots are under 8 KiB)
 * @param timestampBytes {@code timestamp.json}
 * @param snapshotBytes {@code snapshot.json} when the timestamp gives no length
 * @param targetsBytes {@code targets.json} when the snapshot gives no length
 * @param targetBytes any target file, whatever length the targets metadata claims
 * @param maxRootRotations how many new roots one update walks through at most
 * @param maxDelegations how many delegated targets roles one target search visits at most
 */
public record TufLimits(
    long rootBytes,
    long timestampBytes,
    long snapshotBytes,
    long targetsBytes,
    long targetBytes,
    int maxRootRotations,
    int maxDelegations) {

  public static final TufLimits DEFAULT =
      new TufLimits(
          64 * 1024, 16 * 1024, 2 * 1024 * 1024, 5 * 1024 * 1024, 16 * 1024 * 1024, 128, 32);
}
