package io.portcullis.gateway.config;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code redirects} of one upstream: where a redirect it answers with may be followed, on top
 * of the rules every redirect obeys (see {@code docs/upstream-redirects.md}). {@code allowHosts},
 * when given, lists the only other hosts followed: exact names, or {@code *.suffix} for any name
 * under the suffix (not the suffix itself). {@code otherUpstreams} are the URLs of every other
 * configured upstream, filled in by the loader: a redirect to one of their origins is never
 * followed, so an upstream cannot borrow the gateway's network position to read another's blobs.
 */
public record RedirectConfig(Optional<List<String>> allowHosts, List<URI> otherUpstreams) {

  /** No allow-list, no other upstream. */
  public static final RedirectConfig DEFAULT = new RedirectConfig(Optional.empty(), List.of());

  public RedirectConfig {
    allowHosts = allowHosts.map(hosts -> hosts.stream().map(RedirectConfig::normalHost).toList());
    otherUpstreams = List.copyOf(otherUpstreams);
  }

  /** This configuration, with {@code others} as the other upstreams. */
  public RedirectConfig withOtherUpstreams(List<URI> others) {
    return new RedirectConfig(allowHosts, others);
  }

  /**
   * Whether {@code host} may be redirected to by the allow-list: always when there is none, else
   * when an entry names it exactly or is {@code *.suffix} and it ends with {@code .suffix}.
   */
  public boolean allows(String host) {
    if (allowHosts.isEmpty()) {
      return true;
    }
    String h = normalHost(host);
    for (String allowed : allowHosts.get()) {
      if (allowed.startsWith("*.")
          ? h.endsWith(allowed.substring(1)) && h.length() > allowed.length() - 1
          : h.equals(allowed)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A host as it is compared: lower case, without IPv6 brackets or the trailing dot of a fully
   * qualified name ({@code Registry.Example.com.} is {@code registry.example.com}).
   */
  public static String normalHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }
}
