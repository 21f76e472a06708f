// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.verify.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A verifier that breaks on crafted bytes refuses that evidence: the appraisal, and with it the broker's audit, still completes. */
class FailClosedTest {
    private static EvidenceVerifier breaking(RuntimeException e) {
        return new EvidenceVerifier() {
            @Override
            public String format() {
                return "tdx";
            }

            @Override
            public boolean recognizes(byte[] evidence) {
                return true;
            }

            @Override
            public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
                throw e;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"npe", "index", "cast", "state", "typed"})
    void anyExceptionFromAVendorVerifierIsARefusalOfTheEvidence(String kind) {
        RuntimeException e = switch (kind) {
            case "npe" -> new NullPointerException();
            case "index" -> new ArrayIndexOutOfBoundsException(49);
            case "cast" -> new ClassCastException("DERInteger cannot be cast to ASN1Sequence");
            case "state" -> new IllegalStateException("malformed");
            default -> dev.guestattest.core.AttestationException.invalid("quote", "truncated");
        };
        Policy policy = Policy.parse("{\"id\": \"p\", \"tees\": [\"tdx\"]}".getBytes(StandardCharsets.UTF_8));
        Appraisal a = new Appraiser(List.of(breaking(e))).appraise(new Evidence(Optional.of("tdx"), Bytes.of(new byte[8]), Map.of()),
                AppraisalContext.of(policy, Instant.parse("2026-12-05T00:00:00Z")));
        assertThat(a.checks()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("evidence.format");
            assertThat(c.passed()).isFalse();
        });
        assertThat(a.affirming()).isFalse();
    }
}
