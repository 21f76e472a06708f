// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.pki;

import dev.guestattest.core.AttestationException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict PEM certificate chains from untrusted bytes: only {@code CERTIFICATE} blocks separated by
 * white space, each one DER certificate with nothing after it. The JDK's own reader skips text
 * between and after blocks, which would let evidence carry bytes nobody verified.
 */
public final class PemCertificates {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*?)-----END CERTIFICATE-----");

    private PemCertificates() {
    }

    /** Certificates in order; {@code what} names the field in errors. */
    public static List<X509Certificate> parse(String what, byte[] pem, int maxCertificates) {
        String text = new String(pem, StandardCharsets.ISO_8859_1);
        Matcher m = BLOCK.matcher(text);
        List<X509Certificate> out = new ArrayList<>();
        int at = 0;
        while (m.find()) {
            requireBlank(what, text, at, m.start());
            if (out.size() == maxCertificates) {
                throw AttestationException.invalid(what, "more than " + maxCertificates + " certificates");
            }
            out.add(der(what, out.size(), m.group(1)));
            at = m.end();
        }
        requireBlank(what, text, at, text.length());
        if (out.isEmpty()) {
            throw AttestationException.invalid(what, "no PEM certificate");
        }
        return out;
    }

    private static void requireBlank(String what, String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                throw AttestationException.invalid(what, "unexpected bytes at offset " + i + " outside a PEM certificate block");
            }
        }
    }

    private static X509Certificate der(String what, int index, String base64) {
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw AttestationException.invalid(what, "certificate " + index + " is not base64: " + e.getMessage());
        }
        ByteArrayInputStream in = new ByteArrayInputStream(der);
        try {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            if (in.available() != 0) {
                throw AttestationException.invalid(what, "certificate " + index + " has " + in.available() + " bytes after its DER");
            }
            return c;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof AttestationException a) {
                throw a;
            }
            throw AttestationException.invalid(what, "certificate " + index + " is not X.509: " + e.getMessage());
        }
    }
}
