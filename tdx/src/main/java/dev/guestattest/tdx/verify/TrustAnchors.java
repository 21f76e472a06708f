// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.AttestationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The roots a chain may end at, matched by public key: Intel reissued its SGX Root CA certificate
 * in 2025 with the same key, and chains issued under either certificate are valid.
 */
public final class TrustAnchors {
    /** SHA-256 of the DER of the Intel SGX Root CA certificate built in (dcap-qvl's TrustedRootCA.der, 2025 reissue). */
    public static final String INTEL_ROOT_FINGERPRINT = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";

    private final List<X509Certificate> roots;

    private TrustAnchors(List<X509Certificate> roots) {
        this.roots = List.copyOf(roots);
    }

    /** Intel's SGX Root CA only. */
    public static TrustAnchors intel() {
        return new TrustAnchors(List.of(IntelRoot.CERTIFICATE));
    }

    public static TrustAnchors of(List<X509Certificate> roots) {
        if (roots.isEmpty()) {
            throw AttestationException.invalid("trusted roots", "none given");
        }
        return new TrustAnchors(roots);
    }

    /** Intel's root and {@code extra} (the emulator's, a test CA). */
    public static TrustAnchors intelAnd(List<X509Certificate> extra) {
        List<X509Certificate> all = new ArrayList<>(List.of(IntelRoot.CERTIFICATE));
        all.addAll(extra);
        return new TrustAnchors(all);
    }

    public TrustAnchors plus(X509Certificate root) {
        List<X509Certificate> all = new ArrayList<>(roots);
        all.add(root);
        return new TrustAnchors(all);
    }

    public List<X509Certificate> roots() {
        return roots;
    }

    /** The built-in root, loaded and checked once per process (certificates are immutable). */
    private static final class IntelRoot {
        static final X509Certificate CERTIFICATE = intelRoot();
    }

    private static X509Certificate intelRoot() {
        try (InputStream in = TrustAnchors.class.getResourceAsStream("IntelSGXRootCA.der")) {
            if (in == null) {
                throw new IllegalStateException("IntelSGXRootCA.der is missing from the tdx jar");
            }
            byte[] der = in.readAllBytes();
            String fp = HexFormat.of().formatHex(dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(der));
            if (!fp.equals(INTEL_ROOT_FINGERPRINT)) {
                throw new IllegalStateException("the built-in Intel SGX Root CA has fingerprint " + fp + ", not " + INTEL_ROOT_FINGERPRINT);
            }
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the built-in Intel SGX Root CA", e);
        }
    }
}
