// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import dev.guestattest.core.crypto.EcdsaKey;

/**
 * Collateral whose signatures and chains have been checked once against the trust anchors; what
 * depends on the time (validity windows, freshness) is checked per quote. Each part is either
 * usable or carries the reason it is not, so a verification names the part that failed.
 */
final class PreparedCollateral {
    /** A part of the collateral: its value once checked, or why it cannot be used. */
    record Part<T>(Optional<T> value, String problem) {
        static <T> Part<T> ok(T value) {
            return new Part<>(Optional.of(value), "");
        }

        static <T> Part<T> bad(String problem) {
            return new Part<>(Optional.empty(), problem);
        }
    }

    /** A signed JSON object with the chain that signed it. */
    record Signed<T>(T value, CertChain chain) {
    }

    final Part<X509CRL> rootCrl;
    final Part<Signed<X509CRL>> pckCrl;
    final Part<Signed<TcbInfo>> tcbInfo;
    final Part<Signed<QeIdentity>> qeIdentity;

    PreparedCollateral(Collateral c, TrustAnchors anchors) {
        this.rootCrl = part(() -> rootCrl(c.rootCaCrl().toArray(), anchors));
        this.pckCrl = part(() -> pckCrl(c.pckCrlIssuerChain(), c.pckCrl().toArray(), anchors));
        this.tcbInfo = part(() -> signedJson("tcb_info", c.tcbInfoIssuerChain(), c.tcbInfo(), c.tcbInfoSignature().toArray(), anchors,
                TcbInfo::parse));
        this.qeIdentity = part(() -> signedJson("qe_identity", c.qeIdentityIssuerChain(), c.qeIdentity(),
                c.qeIdentitySignature().toArray(), anchors, QeIdentity::parse));
    }

    private static <T> Part<T> part(Supplier<T> make) {
        try {
            return Part.ok(make.get());
        } catch (AttestationException e) {
            return Part.bad(e.getMessage());
        }
    }

    /** The root CA CRL, signed by a trusted root. */
    static X509CRL rootCrl(byte[] der, TrustAnchors anchors) {
        X509CRL crl = crl("root_ca_crl", der);
        for (X509Certificate root : anchors.roots()) {
            if (root.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) {
                try {
                    crl.verify(root.getPublicKey());
                    return crl;
                } catch (GeneralSecurityException e) {
                    // another root of the same name may have signed it
                }
            }
        }
        throw AttestationException.invalid("root_ca_crl", "not signed by a trusted root (issuer " + crl.getIssuerX500Principal().getName() + ")");
    }

    /** A PCK CRL, signed by the leaf of its issuer chain, which ends at a trusted root. */
    static Signed<X509CRL> pckCrl(String chainPem, byte[] der, TrustAnchors anchors) {
        CertChain chain = CertChain.parsePem("pck_crl_issuer_chain", chainPem);
        chain.pathProblem(anchors).ifPresent(p -> {
            throw AttestationException.invalid("pck_crl_issuer_chain", p);
        });
        X509CRL crl = crl("pck_crl", der);
        try {
            crl.verify(chain.leaf().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw AttestationException.invalid("pck_crl", "signature does not verify with " + CertChain.name(chain.leaf()) + "'s key");
        }
        return new Signed<>(crl, chain);
    }

    /** A TCB Info or QE Identity: its signature over the JSON as signed, by a chain ending at a trusted root. */
    static <T> Signed<T> signedJson(String what, String chainPem, String raw, byte[] signature, TrustAnchors anchors,
                                            java.util.function.Function<String, T> parse) {
        CertChain chain = CertChain.parsePem(what + "_issuer_chain", chainPem);
        chain.pathProblem(anchors).ifPresent(p -> {
            throw AttestationException.invalid(what + "_issuer_chain", p);
        });
        EcdsaKey key = EcdsaKey.of(EcdsaKey.Curve.P256, "collateral signing key", chain.leaf().getPublicKey());
        if (!key.verify(Collateral.signedBytes(raw), signature)) {
            throw AttestationException.invalid(what + "_signature", "does not verify with " + CertChain.name(chain.leaf())
                    + "'s key over the JSON as signed");
        }
        return new Signed<>(parse.apply(raw), chain);
    }

    static X509CRL crl(String what, byte[] der) {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (CRLException e) {
            throw AttestationException.invalid(what, "not a DER X.509 CRL: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X.509 is mandatory in every JDK", e);
        }
    }
}
