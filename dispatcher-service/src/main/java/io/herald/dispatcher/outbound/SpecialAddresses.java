package io.herald.dispatcher.outbound;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The addresses Herald does not call unless allowed: IANA's special-purpose ranges that are not globally reachable
 * (loopback, private, link-local, carrier-grade NAT, benchmarking, documentation, reserved, multicast, broadcast,
 * unique-local, ...), and IPv6 addresses that carry such an IPv4 address (IPv4-mapped, IPv4-compatible,
 * IPv4-translated, NAT64, 6to4): those reach the IPv4 address they carry, so they are as internal as it is.
 */
final class SpecialAddresses {

    private record Range(Cidr cidr, String name) {
    }

    /** An IPv6 prefix followed, at {@code offset}, by an IPv4 address. */
    private record Carrier(Cidr cidr, String name, int offset) {
    }

    private static final List<Range> RANGES = List.of(
            range("0.0.0.0/8", "this network"),
            range("10.0.0.0/8", "private"),
            range("100.64.0.0/10", "carrier-grade NAT"),
            range("127.0.0.0/8", "loopback"),
            range("169.254.0.0/16", "link-local"),
            range("172.16.0.0/12", "private"),
            range("192.0.0.0/24", "IETF protocol assignments"),
            range("192.0.2.0/24", "documentation"),
            range("192.88.99.0/24", "6to4 relay anycast"),
            range("192.168.0.0/16", "private"),
            range("198.18.0.0/15", "benchmarking"),
            range("198.51.100.0/24", "documentation"),
            range("203.0.113.0/24", "documentation"),
            range("224.0.0.0/4", "multicast"),
            range("240.0.0.0/4", "reserved and broadcast"),
            range("::/128", "unspecified"),
            range("::1/128", "loopback"),
            range("64:ff9b:1::/48", "local-use NAT64"),
            range("100::/64", "discard-only"),
            range("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
            range("2001:db8::/32", "documentation"),
            range("3fff::/20", "documentation"),
            range("5f00::/16", "segment routing"),
            range("fc00::/7", "unique local"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local"),
            range("ff00::/8", "multicast"));

    private static final List<Carrier> CARRIERS = List.of(
            new Carrier(new Cidr(bytes(10, 0xff, 0xff), 96, "::ffff:0:0/96"), "IPv4-mapped", 12),
            new Carrier(new Cidr(bytes(8, 0xff, 0xff, 0, 0), 96, "::ffff:0:0:0/96"), "IPv4-translated", 12),
            new Carrier(Cidr.parse("::/96"), "IPv4-compatible", 12),
            new Carrier(Cidr.parse("64:ff9b::/96"), "NAT64", 12),
            new Carrier(Cidr.parse("2002::/16"), "6to4", 2));

    private SpecialAddresses() {
    }

    /** Null when {@code address} is globally reachable, else what it is, e.g. {@code "private 10.0.0.0/8"}. */
    static String describe(InetAddress address) {
        byte[] a = address.getAddress();
        for (Range range : RANGES) {
            if (range.cidr().contains(a)) {
                return range.name() + " " + range.cidr();
            }
        }
        for (Carrier carrier : CARRIERS) {
            if (carrier.cidr().contains(a)) {
                InetAddress carried = ipv4(Arrays.copyOfRange(a, carrier.offset(), carrier.offset() + 4));
                String inner = describe(carried);
                return inner == null ? null : carrier.name() + " " + carrier.cidr() + " carrying "
                        + carried.getHostAddress() + ", " + inner;
            }
        }
        return null;
    }

    static boolean isInternal(InetAddress address) {
        return describe(address) != null;
    }

    private static Range range(String cidr, String name) {
        return new Range(Cidr.parse(cidr), name);
    }

    /** 16 bytes: {@code zeros} zero bytes, then {@code rest}, then zeros. */
    private static byte[] bytes(int zeros, int... rest) {
        byte[] b = new byte[16];
        for (int i = 0; i < rest.length; i++) {
            b[zeros + i] = (byte) rest[i];
        }
        return b;
    }

    private static InetAddress ipv4(byte[] four) {
        try {
            return Inet4Address.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an IPv4 address
        }
    }
}
