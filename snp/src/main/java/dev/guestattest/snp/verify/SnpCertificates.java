// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.snp.abi.CertTable;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The certificates a report is checked with: the signing key's certificate (VCEK or VLEK) and,
 * when the evidence carries them, the intermediate (ASK/ASVK) and ARK. Missing ones are taken from
 * the trusted roots.
 */
public record SnpCertificates(X509Certificate signer, Optional<X509Certificate> intermediate, Optional<X509Certificate> ark) {
    /** From an extended report's certificate table (VCEK or VLEK, ASK, ARK). */
    public static SnpCertificates fromTable(CertTable table) {
        Bytes signer = table.find(CertTable.VCEK).or(() -> table.find(CertTable.VLEK)).orElseThrow(() ->
                AttestationException.invalid("certificate table", "has neither a VCEK nor a VLEK"));
        return new SnpCertificates(der("VCEK/VLEK", signer.toArray()), table.find(CertTable.ASK).map(b -> der("ASK", b.toArray())),
                table.find(CertTable.ARK).map(b -> der("ARK", b.toArray())));
    }

    public static SnpCertificates ofSigner(byte[] vcekDer) {
        return new SnpCertificates(der("VCEK", vcekDer), Optional.empty(), Optional.empty());
    }

    static X509Certificate der(String what, byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw AttestationException.invalid(what, "not an X.509 certificate: " + e.getMessage());
        }
    }
}
