// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli;

import dev.guestattest.core.Availability;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderCatalog;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderFactory;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.Check;
import dev.guestattest.core.verify.CommonClaims;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.VendorVerification;
import dev.guestattest.core.verify.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A seventh TEE, declared only here (and in this test class path's two service files), as a new
 * TEE's module would declare itself: evidence {@code "TOY1" || report data (64) || HMAC-SHA256(key,
 * both)}, the key a verifier-only aux part. {@link SeventhTeeTest} shows the CLI, the appraiser and
 * the broker take it with no edit of their own.
 */
public final class ToyTee implements Tee {
    static final Bytes KEY = Bytes.fromHex("key", "42".repeat(32));
    private static final byte[] MAGIC = "TOY1".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "toy";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("toy-tee");
    }

    @Override
    public EvidenceVerifier verifier() {
        return new Verifier();
    }

    @Override
    public Set<String> verifierAux() {
        return Set.of("key");
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        return Optional.empty();
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("toy", "EVIDENCE", "Toy evidence"),
                VerifyOption.aux("--key", "FILE", "Toy: the MAC key", "key", true));
    }

    static byte[] evidence(byte[] reportData, byte[] key) {
        byte[] signed = new byte[MAGIC.length + 64];
        System.arraycopy(MAGIC, 0, signed, 0, MAGIC.length);
        System.arraycopy(reportData, 0, signed, MAGIC.length, 64);
        byte[] mac = mac(key, signed);
        byte[] out = Arrays.copyOf(signed, signed.length + mac.length);
        System.arraycopy(mac, 0, out, signed.length, mac.length);
        return out;
    }

    private static byte[] mac(byte[] key, byte[] data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Verifier implements EvidenceVerifier {
        @Override
        public String format() {
            return "toy";
        }

        @Override
        public boolean recognizes(byte[] e) {
            return e.length == MAGIC.length + 64 + 32 && Arrays.equals(e, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
        }

        @Override
        public VendorVerification verify(Evidence evidence, Instant at, List<X509Certificate> roots) {
            byte[] e = evidence.bytes().toArray();
            if (!recognizes(e) || evidence.aux("key").isEmpty()) {
                return VendorVerification.failed(Check.fail("evidence.format", "not toy evidence with its key"));
            }
            byte[] signed = Arrays.copyOf(e, MAGIC.length + 64);
            boolean ok = MessageDigest.isEqual(mac(evidence.aux("key").get().toArray(), signed), Arrays.copyOfRange(e, signed.length, e.length));
            Bytes reportData = Bytes.of(Arrays.copyOfRange(e, MAGIC.length, signed.length));
            CommonClaims claims = new CommonClaims("toy", Optional.of(Bytes.of(HashAlgorithm.SHA384.hash(MAGIC))), new TreeMap<>(),
                    Optional.of(false), reportData);
            return new VendorVerification(new VerificationResult(List.of(ok ? Check.pass("toy.mac", "made with the key")
                    : Check.fail("toy.mac", "not made with the key"))), ok ? Optional.of(claims) : Optional.empty(), Optional.empty(), Map.of());
        }
    }

    /** Its evidence source, declared as a TEE module declares its providers. */
    public static final class Providers implements ProviderCatalog {
        @Override
        public List<ProviderFactory> providers() {
            return List.of(ProviderFactory.of("toy/emulated", "a toy TEE for tests", true, c -> Availability.yes("always"), c -> new ReportProvider() {
                @Override
                public String name() {
                    return "toy/emulated";
                }

                @Override
                public boolean emulated() {
                    return true;
                }

                @Override
                public InputRules inputRules() {
                    return InputRules.exactly(64, false, false);
                }

                @Override
                public ReportBlobs report(ReportRequest request) {
                    return ReportBlobs.of(evidence(request.inblob().toArray(), KEY.toArray()));
                }
            }));
        }
    }
}
