// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.crypto.EcdsaKey;
import dev.guestattest.core.crypto.Signatures;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.pki.CertificatePath;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmAttest;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.abi.TpmSignature;
import dev.guestattest.tpm.abi.SpkiKeys;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a TPM quote: magic and type, the AK's signature (ECDSA P-256 or RSASSA, SHA-256), the PCR digest against the supplied PCR values, and, given a log, that replaying it
 * gives those values. The AK must be pinned: any software key makes a well-formed quote, and without
 * credential activation nothing else ties the AK to a TPM, so no pinned AK fails {@code ak.pinned}.
 *
 * <p>The evidence's AK is its TPMT_PUBLIC (this project's quotes) or, from a guest-components guest
 * (guest-components 8246e5e0 {@code attestation-agent/attester/src/tpm/utils.rs} {@code read_ak_public_key}),
 * only its public key as a DER SubjectPublicKeyInfo. Such a bare key says nothing of its attributes,
 * so they come from the pin: a pinned TPMT_PUBLIC must hold the same key, and its attributes
 * (restricted) are checked as if the evidence had carried it; a pinned SubjectPublicKeyInfo (what
 * Trustee's {@code trusted_ak} reference value holds) must be the same key, and that it is a
 * restricted TPM key then rests on whoever pinned it. (The quote's qualifiedSigner cannot stand in:
 * it is the key's qualified name, which needs its parents' names too.)
 */
public final class TpmVerifier {
    private TpmVerifier() {
    }

    /**
     * With {@code ekRoots} the EK certificate must chain to one of them, valid at {@code at} (the
     * appraisal's instant). That vouches for the TPM; binding the AK to that EK needs credential
     * activation, which GuestAttest does not do yet, so the AK must be pinned ({@code pinnedAk}: its
     * TPMT_PUBLIC); without it the result is not trusted. The nonce (extraData) is the report data
     * the appraiser judges.
     */
    public static VerificationResult verify(TpmEvidence e, Optional<Bytes> pinnedAk, List<X509Certificate> ekRoots, Instant at) {
        List<Check> checks = new ArrayList<>();
        TpmAttest attest;
        Ak ak;
        TpmSignature sig;
        try {
            attest = TpmAttest.parse(e.attest().toArray());
            ak = Ak.of("TPM evidence ak_public", e.akPublic());
            sig = TpmSignature.parse(e.signature().toArray());
            checks.add(Check.pass("quote.format", "TPM-generated quote over " + attest.pcrSelection().pcrs().size() + " PCRs"));
        } catch (AttestationException x) {
            checks.add(Check.fail("quote.format", x.getMessage()));
            return new VerificationResult(checks);
        }
        Optional<Ak> pin = Optional.empty();
        Optional<String> badPin = Optional.empty();
        try {
            pin = pinnedAk.map(p -> Ak.of("pinned AK", p));
        } catch (AttestationException x) {
            badPin = Optional.of("the pinned AK is neither a TPMT_PUBLIC nor a SubjectPublicKeyInfo: " + x.getMessage());
        }
        Optional<Ak> pinnedKey = pin;
        // a bare key's attributes are those of the pinned area holding that key: the pin is the verifier's word on the AK
        Optional<TpmPublic> area = ak.area().or(() -> pinnedKey.flatMap(Ak::area).filter(p -> SpkiKeys.same(p.key(), ak.key())));
        checks.add(signature(e, ak, area, sig));
        checks.add(badPin.map(why -> Check.fail("ak.pinned", why)).or(() -> pinnedKey.map(p -> pinned(p, ak, e)))
                .orElseGet(() -> Check.fail("ak.pinned", "no pinned AK: the quote's signer is not known to be the TPM's;"
                        + " give --ak (verify) or the aux part 'ak' (appraise)")));
        checks.add(pcrDigest(attest, e));
        if (!ekRoots.isEmpty()) {
            checks.add(ekChain(e, ekRoots, at));
        }
        return new VerificationResult(checks);
    }

    /**
     * The EK certificate through the shared PKIX path: {@code roots} are the manufacturer's
     * certificates, its self-signed roots the anchors and the others intermediates, in any order.
     */
    private static Check ekChain(TpmEvidence e, List<X509Certificate> roots, Instant at) {
        if (e.ekCertificate().isEmpty()) {
            return Check.fail("ek.chain", "the evidence carries no EK certificate");
        }
        X509Certificate cert;
        try {
            cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(e.ekCertificate().get().toArray()));
        } catch (GeneralSecurityException | RuntimeException x) {
            return Check.fail("ek.chain", "the EK certificate is not X.509: " + x.getMessage());
        }
        List<X509Certificate> anchors = roots.stream().filter(TpmVerifier::selfIssued).toList();
        List<X509Certificate> chain = new ArrayList<>(List.of(cert));
        while (chain.size() < CertificatePath.MAX_CERTIFICATES) {
            X509Certificate last = chain.get(chain.size() - 1);
            if (anchors.stream().anyMatch(a -> a.getSubjectX500Principal().equals(last.getIssuerX500Principal()))) {
                break;
            }
            Optional<X509Certificate> next = roots.stream().filter(r -> !selfIssued(r) && !chain.contains(r))
                    .filter(r -> r.getSubjectX500Principal().equals(last.getIssuerX500Principal())).findFirst();
            if (next.isEmpty()) {
                break;
            }
            chain.add(next.get());
        }
        try {
            CertificatePath path = CertificatePath.validate(chain, anchors, Set.of());
            return path.validityProblem(at).map(why -> Check.fail("ek.chain", why))
                    .orElseGet(() -> Check.pass("ek.chain", "the EK certificate chains to " + CertificatePath.name(path.anchor())
                            + " (vouches for the TPM; the AK is not bound to it without credential activation)"));
        } catch (AttestationException x) {
            return Check.fail("ek.chain", x.getMessage());
        }
    }

    private static boolean selfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    /**
     * The AK as evidence or a pin gives it: a TPMT_PUBLIC, or (first byte 0x30, a DER SEQUENCE, where
     * a TPMT_PUBLIC starts with its type's high byte 0x00) a SubjectPublicKeyInfo without attributes.
     */
    record Ak(Bytes encoded, PublicKey key, int type, Optional<TpmPublic> area) {
        static Ak of(String field, Bytes b) {
            if (b.length() > 0 && b.get(0) == 0x30) {
                PublicKey key = SpkiKeys.parse(field, b);
                return new Ak(b, key, key instanceof java.security.interfaces.RSAPublicKey ? Tpm2.ALG_RSA : Tpm2.ALG_ECC, Optional.empty());
            }
            TpmPublic p = TpmPublic.parse(b.toArray());
            return new Ak(b, p.key(), p.type(), Optional.of(p));
        }
    }

    private static Check pinned(Ak pin, Ak ak, TpmEvidence e) {
        if (ak.area().isPresent() && pin.area().isPresent()) {
            return pin.encoded().equals(e.akPublic()) ? Check.pass("ak.pinned", "the AK is the pinned one")
                    : Check.fail("ak.pinned", "the quote is signed by another AK than the pinned one");
        }
        if (!SpkiKeys.same(pin.key(), ak.key())) {
            return Check.fail("ak.pinned", "the quote is signed by another AK than the pinned one");
        }
        if (pin.area().isPresent()) {
            return Check.pass("ak.pinned", "the AK is the pinned one: the evidence's public key is the pinned TPMT_PUBLIC's");
        }
        return Check.pass("ak.pinned", "the AK is the pinned public key (pinned as a bare key, as Trustee's trusted_ak: that it is a"
                + " restricted TPM key rests on the pin)");
    }

    private static Check signature(TpmEvidence e, Ak ak, Optional<TpmPublic> area, TpmSignature sig) {
        if (sig.hashAlg() != Tpm2.ALG_SHA256) {
            return Check.fail("quote.signature", String.format("hash 0x%04x is not SHA-256", sig.hashAlg()));
        }
        if (area.isPresent() && (area.get().attributes() & 0x10000) == 0) {
            return Check.fail("quote.signature", "the signing key is not restricted, so it could sign forged quotes");
        }
        try {
            boolean ok;
            PublicKey key = ak.key();
            if (sig.sigAlg() == Tpm2.ALG_ECDSA && ak.type() == Tpm2.ALG_ECC) {
                byte[] rs = new byte[64];
                fit(sig.r().toArray(), rs, 0);
                fit(sig.s().toArray(), rs, 32);
                ok = EcdsaKey.of(EcdsaKey.Curve.P256, "AK", key).verify(e.attest().toArray(), rs);
            } else if (sig.sigAlg() == Tpm2.ALG_RSASSA && ak.type() == Tpm2.ALG_RSA) {
                ok = Signatures.rsaPkcs1Sha256(key, e.attest().toArray(), sig.r().toArray());
            } else {
                return Check.fail("quote.signature", "the signature algorithm does not match the AK's type");
            }
            String how = ak.type() == Tpm2.ALG_ECC ? "ECDSA P-256" : "RSASSA";
            return ok ? Check.pass("quote.signature", "signed by the AK (" + how + ")" + (area.isPresent() ? ""
                    : "; the evidence carries only its public key, so its attributes (restricted) are not shown here"))
                    : Check.fail("quote.signature", "does not verify with the AK");
        } catch (AttestationException x) {
            return Check.fail("quote.signature", "cannot be checked: " + x.getMessage());
        }
    }

    private static void fit(byte[] v, byte[] out, int off) {
        int start = Math.max(0, v.length - 32);
        System.arraycopy(v, start, out, off + 32 - (v.length - start), v.length - start);
    }

    private static Check pcrDigest(TpmAttest attest, TpmEvidence e) {
        if (attest.pcrSelection().hashAlg() != e.bank().tpmId()) {
            return Check.fail("quote.pcr_digest", "the quote selects another bank than the supplied values");
        }
        if (!attest.pcrSelection().pcrs().equals(e.pcrs().keySet())) {
            return Check.fail("quote.pcr_digest", "the quote covers PCRs " + attest.pcrSelection().pcrs() + ", the evidence supplies "
                    + e.pcrs().keySet());
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        e.pcrs().values().forEach(v -> all.writeBytes(v.toArray()));
        Bytes digest = Bytes.of(dev.guestattest.core.mr.HashAlgorithm.SHA256.hash(all.toByteArray()));
        return digest.equals(attest.pcrDigest()) ? Check.pass("quote.pcr_digest", "the supplied PCR values are the quoted ones")
                : Check.fail("quote.pcr_digest", "the supplied PCR values do not hash to the quoted digest");
    }

}
