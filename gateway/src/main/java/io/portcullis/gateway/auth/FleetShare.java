package io.portcullis.gateway.auth;

/**
 * This replica's share of a limit meant for the whole fleet: the limit divided by the number of
 * live replicas, rounded up (issue #15, docs/state.md "Quotas"). Quotas are enforced per replica on
 * their share rather than on a global counter, so a request never waits for the database; the
 * gateway refreshes the count from the replicas' heartbeats periodically, never per request. A
 * single node (no shared state) is a fleet of one and keeps its limits whole.
 */
public final class FleetShare {
  private volatile int replicas = 1;

  /** The live replicas as last counted (this one included), at least one. */
  public int replicas() {
    return replicas;
  }

  /** Sets the count of live replicas; a count below one (this replica's own row missing) is one. */
  public void replicas(int live) {
    replicas = Math.max(1, live);
  }

  /**
   * {@code limit} ÷ replicas, rounded up so no share is zero; {@link Integer#MAX_VALUE} (no limit)
   * stays as it is.
   */
  public int share(int limit) {
    return share(limit, replicas);
  }

  static int share(int limit, int replicas) {
    if (limit == Integer.MAX_VALUE || replicas <= 1) {
      return limit;
    }
    return (int) Math.max(1, (limit + (long) replicas - 1) / replicas);
  }
}
