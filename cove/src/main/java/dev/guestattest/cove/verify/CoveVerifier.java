// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cove.verify;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.pki.CertificatePath;
import dev.guestattest.core.pki.PemCertificates;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.VerificationResult;
import dev.guestattest.cove.abi.DiceTcbInfo;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    /** The DICE extensions this verifier reads itself; PKIX refuses any other critical extension. */
    static final Set<String> DICE_EXTENSIONS = Set.of(DiceTcbInfo.OID, DiceTcbInfo.FRESHNESS_OID);

    public static Result verify(byte[] pemChain, List<X509Certificate> roots, Optional<PublicKey> tvmKey, Instant now) {
        List<Check> checks = new ArrayList<>();
        List<X509Certificate> chain;
        List<DiceTcbInfo> infos = new ArrayList<>();
        try {
            chain = PemCertificates.parse("CoVE evidence", pemChain, CertificatePath.MAX_CERTIFICATES);
            if (chain.size() < 2) {
                throw AttestationException.invalid("CoVE evidence", chain.size() + " certificate; expected the TVM's and 1..7 layers above it");
            }
            for (X509Certificate c : chain) {
                infos.add(DiceTcbInfo.of(c).orElseThrow(() -> AttestationException.invalid("CoVE evidence",
                        CertificatePath.name(c) + " has no DICE TcbInfo")));
            }
            DiceTcbInfo.freshness(chain.get(0));
            checks.add(Check.pass("evidence.format", chain.size() + " DICE layers"));
        } catch (AttestationException e) {
            checks.add(Check.fail("evidence.format", e));
            return new Result(new VerificationResult(checks), Optional.empty());
        }
        X509Certificate tvm = chain.get(0);
        Optional<CertificatePath> path = Optional.empty();
        try {
            path = Optional.of(CertificatePath.validate(chain, roots, DICE_EXTENSIONS));
            checks.add(Check.pass("dice.chain", "every layer certified by the one below, down to " + CertificatePath.name(path.get().anchor())));
        } catch (AttestationException e) {
            checks.add(Check.fail("dice.chain", e.getMessage()));
        }
        checks.add(path.map(p -> p.validityProblem(now)).orElseGet(() -> CertificatePath.validityProblem(chain, now))
                .map(why -> Check.fail("dice.validity", why)).orElseGet(() -> Check.pass("dice.validity", "every certificate is valid at " + now)));
        // The claims are the TSM's word about the TVM: they count only from an end-entity certificate the TSM layer issued.
        checks.add(tvm.getBasicConstraints() < 0 ? Check.pass("tvm.certificate", "an end-entity certificate issued by the TSM layer")
                : Check.fail("tvm.certificate", CertificatePath.name(tvm) + " is a CA certificate, not the TVM's attestation certificate"));
        Optional<Bytes> nonce = DiceTcbInfo.freshness(tvm);
        tvmKey.ifPresent(k -> checks.add(Arrays.equals(k.getEncoded(), tvm.getPublicKey().getEncoded())
                ? Check.pass("tvm.public_key", "the TSM certifies the TVM's key") : Check.fail("tvm.public_key", "the TSM certifies another key")));
        List<DiceTcbInfo> lowestFirst = new ArrayList<>(infos);
        java.util.Collections.reverse(lowestFirst);
        List<Bytes> tvmFwids = infos.get(0).fwids();
        if (tvmFwids.isEmpty()) {
            checks.add(Check.fail("tvm.measurement", "the TVM certificate's TcbInfo lists no FWID (initial measurement)"));
        }
        Claims claims = new Claims(lowestFirst, tvmFwids.isEmpty() ? Bytes.EMPTY : tvmFwids.get(0),
                tvmFwids.size() > 1 ? tvmFwids.subList(1, tvmFwids.size()) : List.of(), tvm.getPublicKey(), nonce);
        return new Result(new VerificationResult(checks), Optional.of(claims));
    }
}
