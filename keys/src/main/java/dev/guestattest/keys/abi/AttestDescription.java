// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.abi;

import dev.guestattest.core.AttestationException;
import java.math.BigInteger;

/**
 * The description of an attestation key, {@code guest_attest:<level>:<id>}: the privilege level
 * (0..3, SEV-SNP's VMPL) the report is made at and the caller's tag, an unsigned 64-bit decimal
 * that keeps concurrent requests apart. The 2023 kernel proposal parsed it with
 * {@code sscanf("guest_attest:%d:%llu")}; this parser is strict where sscanf was lax — no sign,
 * no leading zeros, no trailing text — so that one key has exactly one description.
 */
public record AttestDescription(int level, long id) {
    public static final String PREFIX = "guest_attest:";
    public static final int MAX_LEVEL = 3;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    public AttestDescription {
        if (level < 0 || level > MAX_LEVEL) {
            throw AttestationException.invalid("description level", level + " is outside 0.." + MAX_LEVEL);
        }
    }

    public static AttestDescription parse(String description) {
        if (!description.startsWith(PREFIX)) {
            throw AttestationException.invalid("description", "'" + shown(description) + "' does not start with '" + PREFIX
                    + "'; expected guest_attest:<level 0..3>:<id>");
        }
        String rest = description.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw AttestationException.invalid("description", "'" + shown(description) + "' lacks ':<id>'; expected guest_attest:<level 0..3>:<id>");
        }
        String levelText = rest.substring(0, colon);
        String idText = rest.substring(colon + 1);
        if (levelText.length() != 1 || levelText.charAt(0) < '0' || levelText.charAt(0) > '0' + MAX_LEVEL) {
            throw AttestationException.invalid("description level", "'" + shown(levelText) + "' is not a privilege level 0..3");
        }
        return new AttestDescription(levelText.charAt(0) - '0', parseId(idText));
    }

    private static long parseId(String text) {
        boolean digits = !text.isEmpty() && text.length() <= 20 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || (text.length() > 1 && text.charAt(0) == '0')) {
            throw AttestationException.invalid("description id", "'" + shown(text)
                    + "' is not an unsigned decimal without leading zeros (0..18446744073709551615)");
        }
        BigInteger v = new BigInteger(text);
        if (v.compareTo(U64_MAX) > 0) {
            throw AttestationException.invalid("description id", text + " exceeds 18446744073709551615");
        }
        return v.longValue();
    }

    /** The id as the unsigned decimal it was written as. */
    public String idText() {
        return Long.toUnsignedString(id);
    }

    @Override
    public String toString() {
        return PREFIX + level + ":" + idText();
    }

    /** Untrusted text cut for messages, so a 4 KiB description cannot flood a log line. */
    static String shown(String s) {
        String printable = s.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "...";
    }
}
