// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import dev.guestattest.core.codec.Bytes;

/**
 * A provider's rules for the request, enforced by the core before the provider is called, as the
 * kernel's providers do at generation time (linux-abi.md §1.10).
 *
 * @param minInblob the shortest accepted inblob
 * @param maxInblob the longest accepted inblob (at most 64)
 * @param zeroPadTo shorter accepted inblobs are zero-padded to this length (0: no padding)
 * @param privlevels whether the provider has privilege levels; without them only 0 is accepted
 * @param services whether SVSM service attestation (service_provider, GUID, manifest) exists
 */
public record InputRules(int minInblob, int maxInblob, int zeroPadTo, boolean privlevels, boolean services) {
    public InputRules {
        if (minInblob < 1 || maxInblob > ReportRequest.INBLOB_MAX || minInblob > maxInblob
                || zeroPadTo < 0 || zeroPadTo > ReportRequest.INBLOB_MAX) {
            throw new IllegalArgumentException("inconsistent input rules");
        }
    }

    /** Exactly {@code n} bytes of caller data, as TDX and SEV-SNP require. */
    public static InputRules exactly(int n, boolean privlevels, boolean services) {
        return new InputRules(n, n, 0, privlevels, services);
    }

    /**
     * Checks {@code request} against these rules for {@code provider} and returns the request the
     * provider will see (padded where the rules say so).
     */
    public ReportRequest apply(String provider, ReportRequest request) {
        int n = request.inblob().length();
        if (n == 0) {
            throw AttestationException.invalid("inblob", "empty; write 1.." + maxInblob + " bytes of caller data first");
        }
        if (n < minInblob || n > maxInblob) {
            String want = minInblob == maxInblob ? "exactly " + minInblob : minInblob + ".." + maxInblob;
            throw AttestationException.invalid("inblob", n + " bytes; " + provider + " requires " + want
                    + " bytes (zero-pad shorter data, e.g. the CLI's --pad)");
        }
        if (!privlevels && request.privlevel() != 0) {
            throw AttestationException.of(Reason.UNSUPPORTED,
                    "privlevel: " + provider + " has no privilege levels; only 0 is accepted, got " + request.privlevel());
        }
        if (!services && request.hasServiceFields()) {
            throw AttestationException.of(Reason.UNSUPPORTED,
                    "service_provider: " + provider + " does not attest SVSM services");
        }
        if (zeroPadTo > n) {
            byte[] padded = new byte[zeroPadTo];
            request.inblob().copyTo(padded, 0);
            return request.toBuilder().inblob(Bytes.of(padded)).build();
        }
        return request;
    }
}
