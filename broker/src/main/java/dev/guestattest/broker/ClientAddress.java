// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Who counts as one client for the per-client bounds (rate limits, connection caps): an IPv4
 * address, or an IPv6 /64, which one host usually holds whole and could otherwise rotate through.
 * The audit keeps the full address.
 */
public final class ClientAddress {
    private static final int IPV6_PREFIX_BYTES = 8;

    private ClientAddress() {
    }

    /** The group of {@code address}. */
    public static InetAddress group(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
        Arrays.fill(prefix, IPV6_PREFIX_BYTES, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /** The group of a textual address as the HTTP layer reports it; text that is not an IP literal stands for itself. */
    public static String group(String address) {
        String literal = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (literal.indexOf(':') < 0) {
            return address; // IPv4, or a name: never resolved here
        }
        try {
            return group(InetAddress.getByName(literal)).getHostAddress();
        } catch (UnknownHostException | SecurityException e) {
            return address;
        }
    }
}
