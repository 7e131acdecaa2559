package io.portcullis.gateway.upstream;

import java.net.InetAddress;

/**
 * What kind of network an IP address is on, as far as following an upstream's redirect goes: only
 * {@link #PUBLIC} addresses are open to every upstream; the others only to an upstream whose own
 * address is of the same kind (an upstream on loopback may redirect to loopback). IPv6 addresses
 * that carry an IPv4 address (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible {@code
 * ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4 {@code 2002::/16}) are of the IPv4 address's kind,
 * so none is a way round the rule.
 */
public enum AddressClass {
  PUBLIC("a public address"),
  LOOPBACK("a loopback address"),
  PRIVATE("a private address"),
  LINK_LOCAL("a link-local address"),
  /** Cloud instance metadata services: credentials live there. */
  CLOUD_METADATA("a cloud metadata address"),
  UNSPECIFIED("an unspecified address"),
  MULTICAST("a multicast address"),
  RESERVED("a reserved address");

  private final String description;

  AddressClass(String description) {
    this.description = description;
  }

  /** For messages: "a loopback address". */
  public String description() {
    return description;
  }

  /** The kind of {@code address}. */
  public static AddressClass of(InetAddress address) {
    byte[] b = address.getAddress();
    return b.length == 4 ? ofIpv4(b) : ofIpv6(b);
  }

  private static AddressClass ofIpv4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    int a3 = b[3] & 0xff;
    if ((a0 == 169 && a1 == 254 && (a2 == 169 && a3 == 254 || a2 == 170 && a3 == 2))
        || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)) {
      // AWS/GCP/Azure/OpenStack (169.254.169.254), ECS task metadata (169.254.170.2), Alibaba
      return CLOUD_METADATA;
    }
    if (a0 == 0) {
      return UNSPECIFIED;
    }
    if (a0 == 127) {
      return LOOPBACK;
    }
    if (a0 == 169 && a1 == 254) {
      return LINK_LOCAL;
    }
    if (a0 == 10
        || (a0 == 172 && (a1 & 0xf0) == 16)
        || (a0 == 192 && a1 == 168)
        || (a0 == 100 && (a1 & 0xc0) == 64)) {
      // RFC 1918 and the carrier-grade NAT space (RFC 6598), which is as internal
      return PRIVATE;
    }
    if (a0 >= 224 && a0 < 240) {
      return MULTICAST;
    }
    if (a0 >= 240) {
      return RESERVED;
    }
    return PUBLIC;
  }

  private static AddressClass ofIpv6(byte[] b) {
    if (isZero(b, 0, 15)) {
      int last = b[15] & 0xff;
      return last == 0 ? UNSPECIFIED : last == 1 ? LOOPBACK : ofIpv4(slice(b, 12));
    }
    if (isZero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      return ofIpv4(slice(b, 12));
    }
    if (isZero(b, 0, 12)) {
      return ofIpv4(slice(b, 12)); // IPv4-compatible (deprecated, still routed by some stacks)
    }
    if (b[0] == 0x00
        && b[1] == 0x64
        && b[2] == (byte) 0xff
        && b[3] == (byte) 0x9b
        && isZero(b, 4, 12)) {
      return ofIpv4(slice(b, 12)); // NAT64 well-known prefix
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return ofIpv4(slice(b, 2)); // 6to4
    }
    int b0 = b[0] & 0xff;
    int b1 = b[1] & 0xff;
    if (b0 == 0xfd
        && b1 == 0x00
        && b[2] == 0x0e
        && b[3] == (byte) 0xc2
        && isZero(b, 4, 14)
        && b[14] == 0x02
        && b[15] == 0x54) {
      return CLOUD_METADATA; // AWS fd00:ec2::254
    }
    if (b0 == 0xff) {
      return MULTICAST;
    }
    if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
      return LINK_LOCAL;
    }
    if ((b0 & 0xfe) == 0xfc || (b0 == 0xfe && (b1 & 0xc0) == 0xc0)) {
      return PRIVATE; // unique local fc00::/7, and the deprecated site-local fec0::/10
    }
    return PUBLIC;
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] slice(byte[] b, int from) {
    return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
  }
}
