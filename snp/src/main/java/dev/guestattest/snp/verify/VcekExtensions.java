// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.TcbVersion;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/** AMD's VCEK/VLEK extensions (OID 1.3.6.1.4.1.3704.1.*, formats.md §2.5). */
public record VcekExtensions(int structVersion, String productName, TcbVersion.Parts spls, Optional<Bytes> hwId,
                             Optional<String> cspId) {
    static final String PREFIX = "1.3.6.1.4.1.3704.1.";

    public static VcekExtensions of(X509Certificate cert) {
        int structVersion = integer(cert, "1").orElse(0);
        String product = string(cert, "2").orElseThrow(() -> missing("productName (" + PREFIX + "2)"));
        int bl = integer(cert, "3.1").orElseThrow(() -> missing("blSPL"));
        int tee = integer(cert, "3.2").orElseThrow(() -> missing("teeSPL"));
        int snp = integer(cert, "3.3").orElseThrow(() -> missing("snpSPL"));
        int ucode = integer(cert, "3.8").orElseThrow(() -> missing("ucodeSPL"));
        int fmc = integer(cert, "3.9").orElse(0);
        byte[] hw = cert.getExtensionValue(PREFIX + "4");
        Optional<Bytes> hwId;
        try {
            hwId = hw == null ? Optional.empty() : Optional.of(Bytes.of(ASN1OctetString.getInstance(hw).getOctets()));
        } catch (RuntimeException e) {
            throw AttestationException.invalid("VCEK extension " + PREFIX + "4", "malformed: " + e);
        }
        return new VcekExtensions(structVersion, product, new TcbVersion.Parts(fmc, bl, tee, snp, ucode), hwId, string(cert, "5"));
    }

    private static AttestationException missing(String what) {
        return AttestationException.invalid("VCEK certificate", "lacks the " + what + " extension");
    }

    private static Optional<ASN1Primitive> value(X509Certificate cert, String suffix) {
        byte[] ext = cert.getExtensionValue(PREFIX + suffix);
        if (ext == null) {
            return Optional.empty();
        }
        try {
            byte[] der = ASN1OctetString.getInstance(ext).getOctets();
            ASN1Primitive v = der.length == 0 ? null : ASN1Primitive.fromByteArray(der);
            if (v == null) {
                throw AttestationException.invalid("VCEK extension " + PREFIX + suffix, "is empty");
            }
            return Optional.of(v);
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof AttestationException a) {
                throw a;
            }
            // Bouncy Castle reports malformed ASN.1 with several unchecked types; all of them are a bad certificate.
            throw AttestationException.invalid("VCEK extension " + PREFIX + suffix, "malformed: " + e);
        }
    }

    private static Optional<Integer> integer(X509Certificate cert, String suffix) {
        return value(cert, suffix).map(v -> {
            if (!(v instanceof ASN1Integer i) || i.getValue().signum() < 0 || i.getValue().bitLength() > 8) {
                throw AttestationException.invalid("VCEK extension " + PREFIX + suffix, "is not an INTEGER in 0..255");
            }
            return i.getValue().intValue();
        });
    }

    private static Optional<String> string(X509Certificate cert, String suffix) {
        return value(cert, suffix).map(v -> {
            if (!(v instanceof ASN1String s)) {
                throw AttestationException.invalid("VCEK extension " + PREFIX + suffix, "is not a string");
            }
            try {
                return s.getString();
            } catch (IllegalArgumentException e) { // a UTF8String whose bytes are not UTF-8
                throw AttestationException.invalid("VCEK extension " + PREFIX + suffix, "is not a valid string: " + e.getMessage());
            }
        });
    }
}
