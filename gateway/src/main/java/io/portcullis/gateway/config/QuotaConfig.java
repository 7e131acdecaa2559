package io.portcullis.gateway.config;

import java.util.Collection;
import java.util.Map;

/**
 * {@code auth.quotas}: what one identity (a user, robot or OIDC subject; anonymous callers by
 * client address) may use, so one tenant cannot starve the others. {@code defaults} apply to
 * everyone; {@code roles} give the holders of a role other limits (an identity with several such
 * roles gets the most generous value of each); {@code users} give one identity, by subject ({@code
 * alice}, {@code robot$ci-a}, {@code oidc:<iss>:<sub>}), its own limits, which beat its roles'.
 */
public record QuotaConfig(Limits defaults, Map<String, Limits> roles, Map<String, Limits> users) {
  /** No limits at all: what a gateway without {@code auth.quotas} enforces. */
  public static final QuotaConfig NONE = new QuotaConfig(Limits.UNLIMITED, Map.of(), Map.of());

  public QuotaConfig {
    roles = Map.copyOf(roles);
    users = Map.copyOf(users);
  }

  /**
   * One set of limits.
   *
   * @param requestsPerSecond sustained /v2 requests per second (a token bucket's refill rate);
   *     {@link Double#POSITIVE_INFINITY} for no limit
   * @param burst requests allowed at once above the sustained rate (the bucket's size)
   * @param concurrentTransfers blob downloads and uploads in flight at once; {@link
   *     Integer#MAX_VALUE} for no limit
   */
  public record Limits(double requestsPerSecond, int burst, int concurrentTransfers) {
    public static final Limits UNLIMITED =
        new Limits(Double.POSITIVE_INFINITY, Integer.MAX_VALUE, Integer.MAX_VALUE);

    public boolean rateLimited() {
      return requestsPerSecond != Double.POSITIVE_INFINITY;
    }

    /**
     * One replica's share of these limits among {@code replicas}: the rate divided, the burst and
     * the transfers divided and rounded up (at least one each); no limit stays no limit.
     */
    public Limits shareOf(int replicas) {
      if (replicas <= 1) {
        return this;
      }
      return new Limits(
          requestsPerSecond / replicas,
          burst == Integer.MAX_VALUE
              ? burst
              : (int) Math.max(1, (burst + replicas - 1L) / replicas),
          concurrentTransfers == Integer.MAX_VALUE
              ? concurrentTransfers
              : (int) Math.max(1, (concurrentTransfers + replicas - 1L) / replicas));
    }

    /** The most generous value of each limit among {@code limits}; this one when empty. */
    public Limits mostGenerous(Collection<Limits> limits) {
      if (limits.isEmpty()) {
        return this;
      }
      double rate = 0;
      int b = 0;
      int transfers = 0;
      for (Limits l : limits) {
        rate = Math.max(rate, l.requestsPerSecond);
        b = Math.max(b, l.burst);
        transfers = Math.max(transfers, l.concurrentTransfers);
      }
      return new Limits(rate, b, transfers);
    }
  }
}
