// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.broker.wire;

/** What both ends of RCAR agree on besides the messages: the protocol version, the session cookie and the paths. */
public final class Protocol {
    /** The RCAR protocol version spoken here (Trustee's KBS). */
    public static final String VERSION = "0.4.0";
    /** The cookie that carries the session from auth to attest to resource. */
    public static final String COOKIE = "kbs-session-id";
    public static final String PREFIX = "/kbs/v0/";
    public static final String AUTH = PREFIX + "auth";
    public static final String ATTEST = PREFIX + "attest";
    /** Followed by {@code REPOSITORY/TYPE/TAG}. */
    public static final String RESOURCE = PREFIX + "resource/";

    private Protocol() {
    }

    /** Whether a requested version is one this protocol answers: any 0.x (Trustee's guests send theirs), or none. */
    public static boolean accepts(String version) {
        return version.isEmpty() || version.startsWith("0.");
    }
}
