package dev.guestattest.cove.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.cove.abi.DiceTcbInfo;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Verifies CoVE DICE evidence: the certificate chain (TVM, TSM, TSM-driver, ...) walked to a
 * configured DICE root, every layer's TcbInfo, the TVM certificate's challenge (TcbFreshness) and
 * the TVM public key it certifies.
 */
public final class CoveVerifier {
    private CoveVerifier() {
    }

    /** What the evidence says: every layer's measurements, lowest first, and the TVM's initial and runtime ones. */
    public record Claims(List<DiceTcbInfo> layers, Bytes tvmInitialMeasurement, List<Bytes> tvmRuntimeMeasurements, PublicKey tvmPublicKey,
                         Optional<Bytes> challenge) {
        public Claims {
            layers = List.copyOf(layers);
            tvmRuntimeMeasurements = List.copyOf(tvmRuntimeMeasurements);
        }

        /**
         * The TVM's runtime FWIDs are rmr0..; CoVE's TcbInfo carries no debug flag that the TSM sets. The
         * TCB is each DICE layer's SVN, named {@code layer<N>}.
         */
        public CommonClaims common() {
            java.util.Map<String, Long> svns = new java.util.HashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                int n = i;
                layers.get(i).svn().ifPresent(s -> svns.put("layer" + layers.get(n).layer().orElse(n), (long) s));
            }
            return new CommonClaims("cove", Optional.of(tvmInitialMeasurement), CommonClaims.registers("rmr", tvmRuntimeMeasurements),
                    Optional.empty(), challenge.orElse(Bytes.EMPTY)).withTcb(svns);
        }
    }

    public record Result(VerificationResult result, Optional<Claims> claims) {
        public boolean trusted() {
            return result.trusted();
        }
    }

    public static Result verify(byte[] pemChain, List<X509Certificate> roots, Optional<Bytes> challenge, Optional<PublicKey> tvmKey,
                                Instant now) {
        List<Check> checks = new ArrayList<>();
        List<X509Certificate> chain = new ArrayList<>();
        List<DiceTcbInfo> infos = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pemChain))) {
                chain.add((X509Certificate) c);
            }
            if (chain.size() < 2 || chain.size() > 8) {
                throw AttestationException.invalid("CoVE evidence", chain.size() + " certificates; expected the TVM's and 1..7 layers above it");
            }
            for (X509Certificate c : chain) {
                infos.add(DiceTcbInfo.of(c).orElseThrow(() -> AttestationException.invalid("CoVE evidence",
                        "'" + c.getSubjectX500Principal().getName() + "' has no DICE TcbInfo")));
            }
            checks.add(Check.pass("evidence.format", chain.size() + " DICE layers"));
        } catch (GeneralSecurityException | AttestationException e) {
            checks.add(Check.fail("evidence.format", e.getMessage()));
            return new Result(new VerificationResult(checks), Optional.empty());
        }
        checks.add(chain(chain, roots));
        Date at = Date.from(now);
        checks.add(chain.stream().allMatch(c -> !at.before(c.getNotBefore()) && !at.after(c.getNotAfter()))
                ? Check.pass("dice.validity", "every certificate is valid at " + now) : Check.fail("dice.validity", "a certificate is not valid at " + now));
        X509Certificate tvm = chain.get(0);
        Optional<Bytes> nonce = DiceTcbInfo.freshness(tvm);
        challenge.ifPresent(c -> checks.add(nonce.map(n -> n.equals(c) ? Check.pass("tvm.challenge", "equals the challenge")
                        : Check.fail("tvm.challenge", "is " + n.hex() + ", expected " + c.hex()))
                .orElseGet(() -> Check.fail("tvm.challenge", "the TVM certificate carries no challenge (TcbFreshness)"))));
        tvmKey.ifPresent(k -> checks.add(Arrays.equals(k.getEncoded(), tvm.getPublicKey().getEncoded())
                ? Check.pass("tvm.public_key", "the TSM certifies the TVM's key") : Check.fail("tvm.public_key", "the TSM certifies another key")));
        List<DiceTcbInfo> lowestFirst = new ArrayList<>(infos);
        java.util.Collections.reverse(lowestFirst);
        List<Bytes> tvmFwids = infos.get(0).fwids();
        Claims claims = new Claims(lowestFirst, tvmFwids.isEmpty() ? Bytes.EMPTY : tvmFwids.get(0),
                tvmFwids.size() > 1 ? tvmFwids.subList(1, tvmFwids.size()) : List.of(), tvm.getPublicKey(), nonce);
        return new Result(new VerificationResult(checks), Optional.of(claims));
    }

    private static Check chain(List<X509Certificate> chain, List<X509Certificate> roots) {
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal()) || !signedBy(c, issuer.getPublicKey())) {
                return Check.fail("dice.chain", "'" + c.getSubjectX500Principal().getName() + "' is not signed by the layer above it");
            }
        }
        X509Certificate top = chain.get(chain.size() - 1);
        for (X509Certificate root : roots) {
            if (top.getIssuerX500Principal().equals(root.getSubjectX500Principal()) && signedBy(top, root.getPublicKey())) {
                return Check.pass("dice.chain", "every layer signed by the one below, down to '" + root.getSubjectX500Principal().getName() + "'");
            }
        }
        return Check.fail("dice.chain", "the lowest layer is not signed by a configured DICE root");
    }

    private static boolean signedBy(X509Certificate c, PublicKey k) {
        try {
            c.verify(k);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
