// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.collateral.CollateralItem;
import dev.guestattest.core.collateral.Document;
import dev.guestattest.core.collateral.Origins;
import dev.guestattest.core.verify.Check;
import dev.guestattest.snp.abi.TcbVersion;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * SEV-SNP collateral from AMD's KDS (formats.md §2.6) as collateral-service items: a chip's VCEK at
 * a TCB (it never changes, so it stays fresh until its notAfter) and the ARK's CRL per product and
 * key kind (fresh until its nextUpdate). Each is checked before it is kept: the VCEK must chain to
 * a trusted ARK and be the requested chip's at the requested TCB; the CRL must be a trusted ARK's.
 * VLEKs are not served by KDS: they come with the guest's certificate table.
 */
public final class KdsCollateral {
    private final AmdRoots roots;

    public KdsCollateral(AmdRoots roots) {
        this.roots = roots;
    }

    /** The VCEK (DER) of the chip with {@code chipId} at {@code tcb}. */
    public CollateralItem<byte[]> vcek(Product product, Bytes chipId, TcbVersion tcb) {
        TcbVersion.Parts p = tcb.parts(product.layout());
        String hwid = Bytes.of(chipId.toArray(), 0, product.hwIdLength()).hex();
        String query = String.format(Locale.ROOT, "blSPL=%02d&teeSPL=%02d&snpSPL=%02d&ucodeSPL=%02d", p.bootLoader(), p.tee(), p.snp(),
                p.microcode()) + (product == Product.TURIN ? String.format(Locale.ROOT, "&fmcSPL=%02d", p.fmc()) : "");
        return new Item<>("snp/vcek/" + product.kdsName() + "/" + hwid + "/" + String.format("%016x", tcb.raw()),
                "VCEK of " + product.kdsName() + " chip " + hwid.substring(0, 16) + "... at TCB " + p,
                "/vcek/v1/" + product.kdsName() + "/" + hwid + "?" + query, d -> {
            byte[] der = d.body();
            X509Certificate cert = SnpCertificates.der("VCEK from KDS", der);
            VcekExtensions ext = VcekExtensions.of(cert);
            if (!ext.spls().equals(p) || ext.hwId().isEmpty() || !ext.hwId().get().hex().equalsIgnoreCase(hwid)) {
                throw AttestationException.invalid("VCEK from KDS", "is for TCB " + ext.spls() + " and hwID "
                        + ext.hwId().map(Bytes::hex).orElse("none") + ", not the one requested");
            }
            List<Check> chain = SnpVerifier.builder().roots(roots).build().verifyChain(SnpCertificates.ofSigner(der)).checks();
            chain.stream().filter(c -> !c.passed()).findFirst().ifPresent(c -> {
                throw AttestationException.invalid("VCEK from KDS " + c.name(), c.detail());
            });
            return new CollateralItem.Checked<>(der, cert.getNotAfter().toInstant());
        });
    }

    /** The CRL (DER) the ARK of {@code product} issues for its ASK ({@code vlek}: ASVK). */
    public CollateralItem<byte[]> crl(Product product, boolean vlek) {
        String kind = vlek ? "vlek" : "vcek";
        return new Item<>("snp/crl/" + kind + "/" + product.kdsName(), product.kdsName() + " " + kind.toUpperCase(Locale.ROOT) + " CRL",
                "/" + kind + "/v1/" + product.kdsName() + "/crl", d -> {
            byte[] der = d.body();
            X509CRL crl;
            try {
                crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
            } catch (GeneralSecurityException e) {
                throw AttestationException.invalid("CRL from KDS", "not a DER X.509 CRL: " + e.getMessage());
            }
            boolean signed = roots.arks().stream().filter(a -> a.getSubjectX500Principal().equals(crl.getIssuerX500Principal())).anyMatch(a -> {
                try {
                    crl.verify(a.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    return false;
                }
            });
            if (!signed) {
                throw AttestationException.invalid("CRL from KDS", "is not signed by a trusted ARK (issuer " + crl.getIssuerX500Principal().getName() + ")");
            }
            if (crl.getNextUpdate() == null) {
                throw AttestationException.invalid("CRL from KDS", "has no nextUpdate, so its freshness cannot be judged");
            }
            return new CollateralItem.Checked<>(der, crl.getNextUpdate().toInstant());
        });
    }

    /** The ASK (or ASVK) and ARK in PEM as KDS serves them; the ARK must be a trusted one and have signed the other. */
    public CollateralItem<byte[]> certChain(Product product, boolean vlek) {
        String kind = vlek ? "vlek" : "vcek";
        return new Item<>("snp/cert-chain/" + kind + "/" + product.kdsName(), product.kdsName() + " " + kind.toUpperCase(Locale.ROOT)
                + " certificate chain", "/" + kind + "/v1/" + product.kdsName() + "/cert_chain", d -> {
            List<X509Certificate> chain = dev.guestattest.core.pki.PemCertificates.parse("cert_chain from KDS", d.body(), 2);
            if (chain.size() != 2) {
                throw AttestationException.invalid("cert_chain from KDS", "holds " + chain.size() + " certificates, not the intermediate and the ARK");
            }
            X509Certificate ark = roots.arkByKey(chain.get(1)).orElseThrow(() -> AmdRoots.untrusted(chain.get(1)));
            try {
                chain.get(0).verify(ark.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw AttestationException.invalid("cert_chain from KDS", "the intermediate is not signed by the ARK");
            }
            Instant notAfter = chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
            return new CollateralItem.Checked<>(d.body(), notAfter);
        });
    }

    /** One KDS document: its path under the KDS base and how it is checked. */
    private record Item<T>(String key, String what, String path, Function<Document, Checked<T>> check) implements CollateralItem<T> {
        @Override
        public Optional<URI> location(Origins origins) {
            return origins.base(Origins.KDS).map(b -> Origins.resolve(b, path));
        }

        @Override
        public Checked<T> open(Document document) {
            return check.apply(document);
        }
    }
}
