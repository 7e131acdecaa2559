package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The kinds of address a redirect may or may not lead to, IPv4 and IPv6 and their mixtures. */
class AddressClassTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "8.8.8.8, PUBLIC",
    "203.0.113.10, PUBLIC",
    "172.32.0.1, PUBLIC",
    "172.15.255.255, PUBLIC",
    "100.128.0.1, PUBLIC",
    "127.0.0.1, LOOPBACK",
    "127.255.255.254, LOOPBACK",
    "10.0.0.1, PRIVATE",
    "10.255.255.255, PRIVATE",
    "172.16.0.1, PRIVATE",
    "172.31.255.255, PRIVATE",
    "192.168.1.1, PRIVATE",
    "100.64.0.1, PRIVATE",
    "169.254.1.1, LINK_LOCAL",
    "169.254.169.254, CLOUD_METADATA",
    "169.254.170.2, CLOUD_METADATA",
    "100.100.100.200, CLOUD_METADATA",
    "0.0.0.0, UNSPECIFIED",
    "0.1.2.3, UNSPECIFIED",
    "224.0.0.1, MULTICAST",
    "239.255.255.250, MULTICAST",
    "240.0.0.1, RESERVED",
    "255.255.255.255, RESERVED",
    "::1, LOOPBACK",
    "::, UNSPECIFIED",
    "2001:db8::1, PUBLIC",
    "2606:4700::6810:84e5, PUBLIC",
    "fe80::1, LINK_LOCAL",
    "febf::1, LINK_LOCAL",
    "fc00::1, PRIVATE",
    "fd12:3456::1, PRIVATE",
    "fec0::1, PRIVATE",
    "ff02::1, MULTICAST",
    "fd00:ec2::254, CLOUD_METADATA",
    // IPv4 inside IPv6: the IPv4 address's kind
    "::ffff:127.0.0.1, LOOPBACK",
    "::ffff:7f00:1, LOOPBACK",
    "::ffff:169.254.169.254, CLOUD_METADATA",
    "::ffff:10.1.2.3, PRIVATE",
    "::ffff:8.8.8.8, PUBLIC",
    "::127.0.0.1, LOOPBACK",
    "::10.0.0.1, PRIVATE",
    "64:ff9b::a9fe:a9fe, CLOUD_METADATA",
    "64:ff9b::7f00:1, LOOPBACK",
    "2002:7f00:1::1, LOOPBACK",
    "2002:a00:1::1, PRIVATE",
    "2002:808:808::1, PUBLIC",
  })
  void classifies(String literal, AddressClass expected) throws Exception {
    assertEquals(expected, AddressClass.of(InetAddress.getByName(literal)));
  }

  @ParameterizedTest(name = "{0} as raw IPv6 bytes is {1}")
  @CsvSource({"127.0.0.1, LOOPBACK", "169.254.169.254, CLOUD_METADATA", "192.168.0.1, PRIVATE"})
  void anIpv4MappedAddressKeptAsIpv6BytesIsItsIpv4Kind(String ipv4, AddressClass expected)
      throws Exception {
    // The JDK turns ::ffff:a.b.c.d into an Inet4Address; a resolver or a socket may hand over the
    // 16 bytes as they are.
    byte[] v4 = InetAddress.getByName(ipv4).getAddress();
    byte[] v6 = new byte[16];
    v6[10] = (byte) 0xff;
    v6[11] = (byte) 0xff;
    System.arraycopy(v4, 0, v6, 12, 4);
    assertEquals(expected, AddressClass.of(java.net.Inet6Address.getByAddress(null, v6, -1)));
  }
}
