// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.snp.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.pki.CertificatePath;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AMD's root keys (ARKs) for Milan, Genoa and Turin, pinned by SHA-256 fingerprint, with the ASKs
 * and ASVKs they signed (copied from go-sev-guest's ask_ark_*.pem; identical to KDS's cert_chain),
 * plus any roots a caller adds (the emulator's). Chains end at a trusted ARK, matched by key.
 */
public final class AmdRoots {
    public static final Map<Product, String> ARK_FINGERPRINTS = Map.of(
            Product.MILAN, "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd",
            Product.GENOA, "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1",
            Product.TURIN, "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a");

    /** An intermediate (ASK for VCEKs, ASVK for VLEKs) and the ARK that signed it. */
    public record Chain(X509Certificate intermediate, X509Certificate ark) {
    }

    private final List<X509Certificate> arks;
    private final List<Chain> chains;

    private AmdRoots(List<X509Certificate> arks, List<Chain> chains) {
        this.arks = List.copyOf(arks);
        this.chains = List.copyOf(chains);
    }

    /** AMD's ARKs with their ASKs and ASVKs: read and checked once, shared (the value is immutable). */
    public static AmdRoots amd() {
        return Builtin.AMD;
    }

    private static final class Builtin {
        static final AmdRoots AMD = load();
    }

    private static AmdRoots load() {
        List<X509Certificate> arks = new ArrayList<>();
        List<Chain> chains = new ArrayList<>();
        for (Product p : Product.values()) {
            for (String suffix : new String[] {"", "_vlek"}) {
                List<X509Certificate> pair = load(p.name().toLowerCase(java.util.Locale.ROOT) + suffix + ".pem");
                X509Certificate ark = pair.get(1);
                String fp = fingerprint(ark);
                if (!fp.equals(ARK_FINGERPRINTS.get(p))) {
                    throw new IllegalStateException("built-in ARK for " + p + " has fingerprint " + fp);
                }
                if (suffix.isEmpty()) {
                    arks.add(ark);
                }
                chains.add(new Chain(pair.get(0), ark));
            }
        }
        return new AmdRoots(arks, chains);
    }

    /**
     * AMD's roots plus the extra ones: each self-signed certificate is an ARK, the others are
     * intermediates (an ARK's ASK and ASVK, as {@code emulator root --tee snp} prints them), so
     * roots of other TEEs in the same list do no harm.
     */
    public static AmdRoots amdAnd(List<X509Certificate> roots) {
        AmdRoots amd = amd();
        List<X509Certificate> intermediates = roots.stream().filter(c -> !c.getSubjectX500Principal().equals(c.getIssuerX500Principal()))
                .toList();
        for (X509Certificate ark : roots) {
            if (ark.getSubjectX500Principal().equals(ark.getIssuerX500Principal())) {
                amd = amd.plus(ark, intermediates.stream().filter(i -> i.getIssuerX500Principal().equals(ark.getSubjectX500Principal())).toList());
            }
        }
        return amd;
    }

    /** These roots and one more ARK with its intermediates (e.g. the emulator's ARK, ASK and ASVK). */
    public AmdRoots plus(X509Certificate ark, List<X509Certificate> intermediates) {
        List<X509Certificate> a = new ArrayList<>(arks);
        a.add(ark);
        List<Chain> c = new ArrayList<>(chains);
        intermediates.forEach(i -> c.add(new Chain(i, ark)));
        return new AmdRoots(a, c);
    }

    /** The trusted ARKs: the anchors of every chain. */
    List<X509Certificate> arks() {
        return arks;
    }

    /** The trusted ARK with {@code cert}'s key. */
    Optional<X509Certificate> arkByKey(X509Certificate cert) {
        return CertificatePath.byKey(cert, arks);
    }

    /** The trusted ARK that issued {@code intermediate} (by name and signature). */
    Optional<X509Certificate> arkFor(X509Certificate intermediate) {
        return CertificatePath.issuerOf(intermediate, arks);
    }

    /** A known intermediate whose subject issued {@code leaf}. */
    Optional<Chain> intermediateFor(X509Certificate leaf) {
        return chains.stream().filter(c -> c.intermediate().getSubjectX500Principal().equals(leaf.getIssuerX500Principal())).filter(c -> {
            try {
                leaf.verify(c.intermediate().getPublicKey());
                return true;
            } catch (GeneralSecurityException e) {
                return false;
            }
        }).findFirst();
    }

    static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> load(String resource) {
        try (InputStream in = AmdRoots.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the snp jar");
            }
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.size() != 2) {
                throw new IllegalStateException(resource + " must hold the intermediate and the ARK");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + resource, e);
        }
    }

    static AttestationException untrusted(X509Certificate c) {
        return AttestationException.invalid("certificate chain", "ends at '" + c.getSubjectX500Principal().getName()
                + "', which is not a trusted ARK");
    }
}
