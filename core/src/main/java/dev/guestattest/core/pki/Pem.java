// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.pki;

import dev.guestattest.core.AttestationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** PEM text (RFC 7468) ⇄ DER: the one codec verifiers, emulators, the broker and the CLI share. Strict certificate chains are {@link PemCertificates}. */
public final class Pem {
    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The DER of the first {@code type} block of PEM text; an error naming the type when there is none. */
    public static byte[] decode(String type, String pem) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        int e = b < 0 ? -1 : pem.indexOf(end, b);
        if (e < 0) {
            throw AttestationException.invalid("PEM", "holds no " + type + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        } catch (IllegalArgumentException x) {
            throw AttestationException.invalid("PEM " + type, "not base64: " + x.getMessage());
        }
    }

    /**
     * Every EC public key in PEM text: PUBLIC KEY blocks, and the keys of CERTIFICATE blocks (host
     * key documents, device certificates). Other blocks are skipped; no key at all is an error
     * naming {@code what}.
     */
    public static java.util.List<PublicKey> publicKeys(String what, byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]*)-----END \\1-----").matcher(text);
        java.util.List<PublicKey> keys = new java.util.ArrayList<>();
        try {
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                if (m.group(1).equals("CERTIFICATE")) {
                    keys.add(java.security.cert.CertificateFactory.getInstance("X.509")
                            .generateCertificate(new java.io.ByteArrayInputStream(der)).getPublicKey());
                } else if (m.group(1).equals("PUBLIC KEY")) {
                    keys.add(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der)));
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw AttestationException.invalid(what, "not an EC public key or certificate (PEM): " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw AttestationException.invalid(what, "holds no PEM public key or certificate");
        }
        return keys;
    }

}
