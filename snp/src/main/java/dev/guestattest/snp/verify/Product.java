// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.snp.abi.AttestationReport;
import dev.guestattest.snp.abi.TcbVersion;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Optional;

/** EPYC generations with SEV-SNP: the name KDS uses, the TCB layout, the hwID length in VCEKs. */
public enum Product {
    MILAN("Milan", TcbVersion.Layout.MILAN_GENOA, 64),
    GENOA("Genoa", TcbVersion.Layout.MILAN_GENOA, 64),
    TURIN("Turin", TcbVersion.Layout.TURIN, 8);

    private final String kdsName;
    private final TcbVersion.Layout layout;
    private final int hwIdLength;

    Product(String kdsName, TcbVersion.Layout layout, int hwIdLength) {
        this.kdsName = kdsName;
        this.layout = layout;
        this.hwIdLength = hwIdLength;
    }

    public String kdsName() {
        return kdsName;
    }

    public TcbVersion.Layout layout() {
        return layout;
    }

    /** How many leading bytes of CHIP_ID the VCEK's hwID carries. */
    public int hwIdLength() {
        return hwIdLength;
    }

    /** From a VCEK/VLEK product name ("Milan-B0", "Genoa", "Turin") or an issuer CN ("SEV-Milan", "SEV-VLEK-Genoa"). */
    public static Optional<Product> fromName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Product p : values()) {
            if (n.contains(p.kdsName.toLowerCase(Locale.ROOT))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** From a v3+ report's CPUID: family 0x19 model 0x0x Milan, other 0x19 models Genoa, family 0x1A Turin. */
    public static Optional<Product> fromReport(AttestationReport r) {
        return switch (r.cpuidFamily()) {
            case 0x19 -> Optional.of(r.cpuidModel() < 0x10 ? MILAN : GENOA);
            case 0x1A -> Optional.of(TURIN);
            default -> Optional.empty();
        };
    }

    /** The product {@code named} (e.g. by an option, for v2 reports), else the report's own; an error naming {@code option} if neither says. */
    public static Product of(AttestationReport r, Optional<String> named, String option) {
        if (named.isPresent()) {
            return fromName(named.get()).orElseThrow(() -> dev.guestattest.core.AttestationException.invalid(option, "'" + named.get()
                    + "' is not Milan, Genoa or Turin"));
        }
        return fromReport(r).orElseThrow(() -> dev.guestattest.core.AttestationException.invalid(option, "the report (v" + r.version()
                + ") does not name its product; pass " + option));
    }

    public static Optional<Product> fromIssuer(X509Certificate cert) {
        return fromName(cert.getIssuerX500Principal().getName());
    }
}
