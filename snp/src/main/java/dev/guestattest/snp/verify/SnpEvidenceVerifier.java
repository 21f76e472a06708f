// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.CertTable;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SEV-SNP reports for the appraiser; aux part {@code certs} is the certificate table (auxblob) or
 * the VCEK/VLEK (DER). Extra roots are an ARK followed by its intermediates, as
 * {@code emulator root --tee snp} prints them.
 */
public final class SnpEvidenceVerifier implements EvidenceVerifier {
    @Override
    public String format() {
        return "snp";
    }

    /** 1184 bytes with report version 2..5 (little-endian). */
    @Override
    public boolean recognizes(byte[] e) {
        return e.length == AttestationReport.SIZE && e[0] >= 2 && e[0] <= 5 && e[1] == 0 && e[2] == 0 && e[3] == 0;
    }

    @Override
    public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
        SnpCertificates certs;
        try {
            byte[] c = evidence.aux("certs").orElseThrow(() -> AttestationException.invalid("certs",
                    "SNP needs the certificate table or VCEK (aux part 'certs')")).toArray();
            certs = c.length > 1 && c[0] == 0x30 ? SnpCertificates.ofSigner(c) : SnpCertificates.fromTable(CertTable.parse(c));
        } catch (AttestationException e) {
            return VendorVerification.failed(Check.fail("certs", e.getMessage()));
        }
        AmdRoots amd = AmdRoots.amd();
        if (!roots.isEmpty()) {
            amd = amd.plus(roots.get(0), roots.subList(1, roots.size()));
        }
        return of(SnpVerifier.builder().roots(amd).clock(Clock.fixed(at, ZoneOffset.UTC)).build().verify(evidence.bytes().toArray(), certs));
    }

    /** An SNP verdict as the appraiser takes it: common claims only from a report that verified, the report's own claims. */
    public static VendorVerification of(SnpVerification v) {
        Optional<SnpClaims> verified = v.trusted() ? v.claims() : Optional.empty();
        return new VendorVerification(v.result(), verified.map(SnpClaims::common), Optional.empty(),
                verified.<Map<String, Object>>map(c -> Map.of("host_data", c.hostData().hex(), "vmpl", c.vmpl(), "policy", c.policy(),
                        "chip_id", c.chipId().hex(), "reported_tcb", c.reportedTcb().toString(), "id_key_digest", c.idKeyDigest().hex(),
                        "signing_key", c.signingKey())).orElse(Map.of()));
    }
}
