// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.abi;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import java.util.Base64;

/**
 * The callout of an attestation key request: base64 (RFC 4648, padding optional, no line breaks;
 * {@code base64 -w0}) of at most 64 bytes of caller data, which becomes the report's inblob
 * zero-padded to 64 bytes, as the 2023 proposal's zero-filled payload buffer did.
 */
public final class Callout {
    public static final int MAX_DATA = 64;
    /** Base64 of 64 bytes is 88 characters; anything longer cannot decode to a valid callout. */
    private static final int MAX_TEXT = 88;

    private Callout() {
    }

    /** Decodes the callout; request-key passes {@code -} or nothing when the caller gave none. */
    public static Bytes decode(String text) {
        if (text.isEmpty() || text.equals("-")) {
            throw AttestationException.invalid("callout", "missing; pass base64 of up to " + MAX_DATA
                    + " bytes of user data, e.g. keyctl request2 user guest_attest:0:0 \"$(base64 -w0 < data)\"");
        }
        if (text.length() > MAX_TEXT + 2) {
            throw AttestationException.of(Reason.TOO_LARGE, "callout: " + text.length()
                    + " base64 characters decode to more than the limit of " + MAX_DATA + " bytes");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid("callout", "not base64 (" + e.getMessage() + "); use base64 -w0");
        }
        if (data.length > MAX_DATA) {
            throw AttestationException.tooLarge("callout", data.length, MAX_DATA);
        }
        return Bytes.of(data);
    }

    /** The report request the pair stands for: the decoded data zero-padded to 64 bytes, at the description's level. */
    public static ReportRequest request(AttestDescription description, String callout) {
        byte[] inblob = new byte[MAX_DATA];
        decode(callout).copyTo(inblob, 0);
        return ReportRequest.builder().inblob(Bytes.of(inblob)).privlevel(description.level()).build();
    }
}
