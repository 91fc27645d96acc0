package io.herald.dispatcher.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 network in CIDR notation ({@code 10.20.0.0/16}, {@code fd00::/8}; no prefix: one address). */
record Cidr(byte[] network, int prefix, String text) {

    static Cidr parse(String cidr) {
        String[] parts = cidr.trim().split("/", -1);
        if (parts.length > 2 || !parts[0].matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("not a CIDR network: " + cidr);
        }
        try {
            // an IP literal: no DNS lookup
            byte[] net = InetAddress.getByName(parts[0]).getAddress();
            int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : net.length * 8;
            if (prefix < 0 || prefix > net.length * 8) {
                throw new IllegalArgumentException("not a CIDR network: " + cidr);
            }
            return new Cidr(net, prefix, cidr.trim());
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("not a CIDR network: " + cidr);
        }
    }

    boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    boolean contains(byte[] a) {
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
