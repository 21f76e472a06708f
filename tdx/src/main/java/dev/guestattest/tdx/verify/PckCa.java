// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import java.security.cert.X509Certificate;

/** Which Intel CA issued a PCK certificate; each has its own PCK CRL ({@code pckcrl?ca=platform|processor}). */
public enum PckCa {
    PLATFORM, PROCESSOR;

    /** The PCS query value. */
    public String query() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** From the PCK's issuer name ("Intel SGX PCK Platform CA" or "... Processor CA"). */
    static PckCa issuerOf(X509Certificate pck) {
        return pck.getIssuerX500Principal().getName().contains("Processor") ? PROCESSOR : PLATFORM;
    }
}
