// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.tpm.abi.TpmAttest;
import dev.guestattest.tpm.abi.TpmTrusteeEvidence;
import dev.guestattest.tpm.client.Tpm;
import dev.guestattest.tpm.client.TpmTransport;
import dev.guestattest.tpm.testing.Swtpm;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TPM provider's guest-components form (tpm.evidence=guest-components) on a real TPM (swtpm),
 * judged the way Trustee judges it: trustee 78962cd4 deps/verifier/src/tpm/mod.rs, with the quote
 * checks of az-cvm-vtpm 0.8.1 vtpm/verify.rs, written here again with the JDK and nothing of ours
 * but the structure parse of TPMS_ATTEST. The attester it must match is guest-components 8246e5e0
 * attestation-agent/attester/src/tpm.
 */
class GuestComponentsFormTest {
    @TempDir
    Path dir;

    private static ProviderContext guestComponents() {
        return ProviderContext.defaults().withSetting(TpmProviders.EVIDENCE, "guest-components");
    }

    private static TpmEvidence report(int port, ProviderContext c, byte[] data) {
        try (ProviderSession s = ProviderSession.open(Optional.of("tpm/swtpm:127.0.0.1:" + port), c)) {
            return TpmEvidence.fromJson(s.report(ReportRequest.of(data)).outblob().toArray());
        }
    }

    /** Trustee's TPM verifier, step by step, on the JSON the guest sends; {@code expected} is the runtime-data digest. */
    private static void trusteeAccepts(JsonNode primary, byte[] expected) throws Exception {
        Base64.Decoder b64 = Base64.getDecoder(); // general_purpose::STANDARD
        // ak_public: DER SubjectPublicKeyInfo (PKey::public_key_from_der)
        PublicKey ak = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(b64.decode(primary.get("ak_public").asText())));
        JsonNode quote = primary.get("tpm_quote");
        byte[] message = b64.decode(quote.get("message").asText());
        // signature: a TPMT_SIGNATURE that must be RsaSsa; its own hash field is not read, SHA-256 is
        ByteBuffer sig = ByteBuffer.wrap(b64.decode(quote.get("signature").asText()));
        assertThat(sig.getShort() & 0xffff).as("sigAlg TPM_ALG_RSASSA").isEqualTo(0x0014);
        sig.getShort();
        byte[] rsa = new byte[sig.getShort() & 0xffff];
        sig.get(rsa);
        Signature v = Signature.getInstance("SHA256withRSA"); // OpenSSL's default RSA padding: PKCS#1 v1.5
        v.initVerify(ak);
        v.update(message);
        assertThat(v.verify(rsa)).as("the quote's signature with ak_public").isTrue();
        // pcrs: 64 hex digits each; SHA-256 over them in the order sent must be the quote's PCR digest; pcrs[8] is read
        MessageDigest pcrDigest = MessageDigest.getInstance("SHA-256");
        List<String> pcrs = new java.util.ArrayList<>();
        quote.get("pcrs").forEach(p -> pcrs.add(p.asText()));
        assertThat(pcrs).hasSizeGreaterThan(8).allMatch(p -> p.length() == 64);
        pcrs.forEach(p -> pcrDigest.update(HexFormat.of().parseHex(p)));
        TpmAttest attest = TpmAttest.parse(message);
        assertThat(pcrDigest.digest()).isEqualTo(attest.pcrDigest().toArray());
        // the nonce: extraData against the expected report data resized to 32 bytes
        assertThat(attest.extraData().toArray()).isEqualTo(Arrays.copyOf(expected, 32));
    }

    @Test
    void theGuestComponentsFormIsWhatTrusteeReads() throws Exception {
        try (Swtpm swtpm = Swtpm.start(dir.resolve("swtpm"))) {
            // a SHA-384 runtime-data digest, which the attester and Trustee both cut to 32 bytes
            byte[] digest = HashAlgorithm.SHA384.hash("{\"nonce\":\"n\",\"tee-pubkey\":{}}".getBytes());
            TpmTrusteeEvidence shape = new TpmTrusteeEvidence();
            TpmEvidence e = report(swtpm.port(), guestComponents(), shape.reportData(Bytes.of(digest)).toArray());
            assertThat(e.pcrs().keySet()).containsExactlyElementsOf(dev.guestattest.tpm.abi.PcrSelection.EVERY_PCR);
            assertThat(e.ekCertificate()).as("the attester sends none, though this TPM has one").isEmpty();
            JsonNode primary = shape.write(new Evidence(Optional.of("tpm"), Bytes.of(e.toJson()), Map.of()));
            trusteeAccepts(primary, digest);
            // and this project's broker reads it back as the evidence it was
            assertThat(TpmEvidence.fromJson(shape.read(primary).bytes().toArray()).attest()).isEqualTo(e.attest());
            // the same key every time (a primary key, derived from the owner hierarchy's seed): the operator pins it once
            assertThat(report(swtpm.port(), guestComponents(), new byte[32]).akPublic()).isEqualTo(e.akPublic());
        }
    }

    @Test
    void whatTheFormCannotCarryIsRefusedByName() throws Exception {
        try (Swtpm swtpm = Swtpm.start(dir.resolve("swtpm"))) {
            assertThatThrownBy(() -> report(swtpm.port(), guestComponents(), new byte[64])).isInstanceOf(AttestationException.class)
                    .hasMessageContaining("inblob");
            assertThatThrownBy(() -> report(swtpm.port(), guestComponents().withSetting("tpm.pcrs", "0-7"), new byte[32]))
                    .isInstanceOf(AttestationException.class).hasMessageContaining("tpm.pcrs").hasMessageContaining("0..23");
            assertThatThrownBy(() -> report(swtpm.port(), ProviderContext.defaults().withSetting(TpmProviders.AK_HANDLE, "0x81010002"),
                    new byte[64])).isInstanceOf(AttestationException.class).hasMessageContaining("tpm.ak-handle");
            assertThatThrownBy(() -> report(swtpm.port(), guestComponents().withSetting(TpmProviders.AK_HANDLE, "0x01000000"), new byte[32]))
                    .isInstanceOf(AttestationException.class).hasMessageContaining("not a persistent handle");
            assertThatThrownBy(() -> report(swtpm.port(), ProviderContext.defaults().withSetting(TpmProviders.EVIDENCE, "trustee"),
                    new byte[64])).isInstanceOf(AttestationException.class).hasMessageContaining("tpm.evidence");
        }
    }

    /** The AK provisioned as guest-components' README says, with tpm2-tools, at the attester's handle. */
    @Test
    void anAkProvisionedAsGuestComponentsSaysIsTheOneThatQuotes() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tpm2_createak")), "tpm2-tools is not installed");
        try (Swtpm swtpm = Swtpm.start(dir.resolve("swtpm"))) {
            String tcti = "swtpm:host=127.0.0.1,port=" + swtpm.port();
            // the README's tpm2_createek -c 0x81010001: swtpm_setup, as a vendor would, has the RSA EK there already
            run(List.of("tpm2_readpublic", "-T", tcti, "-c", "0x81010001"));
            run(List.of("tpm2_createak", "-T", tcti, "-C", "0x81010001", "-c", dir.resolve("ak.ctx").toString(), "-G", "rsa", "-g",
                    "sha256", "-s", "rsassa", "-u", dir.resolve("ak.pub").toString(), "-n", dir.resolve("ak.name").toString()));
            run(List.of("tpm2_evictcontrol", "-T", tcti, "-c", dir.resolve("ak.ctx").toString(), "0x81010002"));
            Bytes provisioned;
            try (Tpm tpm = new Tpm(TpmTransport.tcp("127.0.0.1", swtpm.port(), Duration.ofSeconds(5)))) {
                provisioned = tpm.readPublic(TpmProvider.GUEST_COMPONENTS_AK_HANDLE).encoded();
            }
            byte[] digest = HashAlgorithm.SHA384.hash(new byte[] {1});
            TpmEvidence e = report(swtpm.port(), guestComponents(), Arrays.copyOf(digest, 32));
            assertThat(e.akPublic()).isEqualTo(provisioned);
            trusteeAccepts(new TpmTrusteeEvidence().write(new Evidence(Optional.of("tpm"), Bytes.of(e.toJson()), Map.of())), digest);
            // the persistent key stays where it was provisioned: a second quote uses it again
            assertThat(report(swtpm.port(), guestComponents(), new byte[32]).akPublic()).isEqualTo(provisioned);
            // a handle named explicitly must hold a key
            assertThatThrownBy(() -> report(swtpm.port(), guestComponents().withSetting(TpmProviders.AK_HANDLE, "0x81010003"),
                    new byte[32])).isInstanceOf(AttestationException.class).hasMessageContaining("tpm.ak-handle")
                    .hasMessageContaining("0x81010003");
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
