package dev.guestattest.tpm.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.eventlog.Tcg2Log;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.tpm.TpmEvidence;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmAttest;
import dev.guestattest.tpm.abi.TpmPublic;
import dev.guestattest.tpm.abi.TpmSignature;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a TPM quote: magic and type, the AK's signature (ECDSA P-256 or RSASSA, SHA-256), the nonce
 * in extraData, the PCR digest against the supplied PCR values, and, given a log, that replaying it
 * gives those values. The AK is trusted as given (pinned by the caller) unless a check says otherwise.
 */
public final class TpmVerifier {
    private TpmVerifier() {
    }

    public static VerificationResult verify(TpmEvidence e, Optional<Bytes> nonce, Optional<Bytes> pinnedAk, Optional<Tcg2Log> log) {
        return verify(e, nonce, pinnedAk, log, List.of());
    }

    /**
     * As above, and with {@code ekRoots} the EK certificate must chain to one of them. That vouches
     * for the TPM; binding the AK to that EK needs credential activation, which GuestAttest does not
     * do yet, so pin the AK ({@code pinnedAk}) or trust it by other means.
     */
    public static VerificationResult verify(TpmEvidence e, Optional<Bytes> nonce, Optional<Bytes> pinnedAk, Optional<Tcg2Log> log,
                                            List<java.security.cert.X509Certificate> ekRoots) {
        List<Check> checks = new ArrayList<>();
        TpmAttest attest;
        TpmPublic ak;
        TpmSignature sig;
        try {
            attest = TpmAttest.parse(e.attest().toArray());
            ak = TpmPublic.parse(e.akPublic().toArray());
            sig = TpmSignature.parse(e.signature().toArray());
            checks.add(Check.pass("quote.format", "TPM-generated quote over " + attest.pcrSelection().pcrs().size() + " PCRs"));
        } catch (AttestationException x) {
            checks.add(Check.fail("quote.format", x.getMessage()));
            return new VerificationResult(checks);
        }
        checks.add(signature(attest, e, ak, sig));
        pinnedAk.ifPresent(p -> checks.add(p.equals(e.akPublic()) ? Check.pass("ak.pinned", "the AK is the expected one")
                : Check.fail("ak.pinned", "the quote is signed by another AK")));
        nonce.ifPresent(n -> checks.add(n.equals(attest.extraData()) ? Check.pass("quote.nonce", "extraData equals the nonce")
                : Check.fail("quote.nonce", "extraData is " + attest.extraData().hex() + ", expected " + n.hex())));
        checks.add(pcrDigest(attest, e));
        log.ifPresent(l -> checks.add(replay(l, e)));
        if (!ekRoots.isEmpty()) {
            checks.add(ekChain(e, ekRoots));
        }
        return new VerificationResult(checks);
    }

    private static Check ekChain(TpmEvidence e, List<java.security.cert.X509Certificate> roots) {
        if (e.ekCertificate().isEmpty()) {
            return Check.fail("ek.chain", "the evidence carries no EK certificate");
        }
        java.security.cert.X509Certificate cert;
        try {
            cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(e.ekCertificate().get().toArray()));
        } catch (GeneralSecurityException x) {
            return Check.fail("ek.chain", "the EK certificate is not X.509: " + x.getMessage());
        }
        for (int depth = 0; depth < 8; depth++) {
            java.security.cert.X509Certificate current = cert;
            Optional<java.security.cert.X509Certificate> issuer = roots.stream()
                    .filter(r -> r.getSubjectX500Principal().equals(current.getIssuerX500Principal())).filter(r -> {
                        try {
                            current.verify(r.getPublicKey());
                            current.checkValidity();
                            return true;
                        } catch (GeneralSecurityException x) {
                            return false;
                        }
                    }).findFirst();
            if (issuer.isEmpty()) {
                return Check.fail("ek.chain", "no configured certificate issued '" + current.getIssuerX500Principal().getName() + "'");
            }
            if (issuer.get().getSubjectX500Principal().equals(issuer.get().getIssuerX500Principal())) {
                return Check.pass("ek.chain", "the EK certificate chains to '" + issuer.get().getSubjectX500Principal().getName()
                        + "' (vouches for the TPM; the AK is not bound to it without credential activation)");
            }
            cert = issuer.get();
        }
        return Check.fail("ek.chain", "the chain is longer than 8 certificates");
    }

    private static Check signature(TpmAttest attest, TpmEvidence e, TpmPublic ak, TpmSignature sig) {
        if (sig.hashAlg() != Tpm2.ALG_SHA256) {
            return Check.fail("quote.signature", String.format("hash 0x%04x is not SHA-256", sig.hashAlg()));
        }
        if ((ak.attributes() & 0x10000) == 0) {
            return Check.fail("quote.signature", "the signing key is not restricted, so it could sign forged quotes");
        }
        try {
            boolean ok;
            PublicKey key = ak.key();
            if (sig.sigAlg() == Tpm2.ALG_ECDSA && ak.type() == Tpm2.ALG_ECC) {
                byte[] rs = new byte[64];
                fit(sig.r().toArray(), rs, 0);
                fit(sig.s().toArray(), rs, 32);
                ok = verify("SHA256withECDSAinP1363Format", key, e.attest().toArray(), rs);
            } else if (sig.sigAlg() == Tpm2.ALG_RSASSA && ak.type() == Tpm2.ALG_RSA) {
                ok = verify("SHA256withRSA", key, e.attest().toArray(), sig.r().toArray());
            } else {
                return Check.fail("quote.signature", "the signature algorithm does not match the AK's type");
            }
            return ok ? Check.pass("quote.signature", "signed by the AK (" + (ak.type() == Tpm2.ALG_ECC ? "ECDSA P-256" : "RSASSA") + ")")
                    : Check.fail("quote.signature", "does not verify with the AK");
        } catch (GeneralSecurityException x) {
            return Check.fail("quote.signature", "cannot be checked: " + x.getMessage());
        }
    }

    private static boolean verify(String alg, PublicKey key, byte[] data, byte[] sig) throws GeneralSecurityException {
        Signature s = Signature.getInstance(alg);
        s.initVerify(key);
        s.update(data);
        return s.verify(sig);
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

    private static Check replay(Tcg2Log log, TpmEvidence e) {
        Map<Integer, Bytes> replayed = log.replay(e.bank());
        for (var entry : replayed.entrySet()) {
            Bytes quoted = e.pcrs().get(entry.getKey());
            if (quoted != null && !quoted.equals(entry.getValue())) {
                return Check.fail("eventlog.replay", "PCR " + entry.getKey() + " replays to " + entry.getValue().hex() + ", the TPM has " + quoted.hex());
            }
        }
        return Check.pass("eventlog.replay", "the log accounts for every quoted PCR it touches");
    }
}
