// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.emulator;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportProvider;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.abi.AttestationResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HexFormat;

/**
 * {@code s390/emulated}: a Secure Execution guest on the emulated ultravisor. SE's request has two
 * parts, and they map onto the core ABI like this: the <b>inblob is the user data</b> (the guest's
 * own up to 64 bytes, the core's limit; SE itself allows 256), and the verifier's <b>ARCB is a
 * provider setting</b>, {@code s390.arcb} = a file, because it is an opaque, verifier-made request
 * rather than caller data, and it already carries the nonce, sealed. The outblob is an
 * {@link AttestationResponse}, which the request owner checks with the measurement key only it holds.
 */
public final class S390EmulatedProvider implements ReportProvider {
    public static final String NAME = "s390/emulated";
    public static final InputRules INPUT = new InputRules(1, 64, 0, false, false);

    private final EmulatedUltravisor uv;
    private final Path arcb;

    private S390EmulatedProvider(EmulatedUltravisor uv, Path arcb) {
        this.uv = uv;
        this.arcb = arcb;
    }

    public static S390EmulatedProvider open(ProviderContext context) {
        Path dir = context.stateDir().resolve("s390");
        PemFiles.ensureDirectory(dir);
        KeyPair host = StateLock.with(dir, () -> {
            if (!Files.exists(dir.resolve("host.key"))) {
                KeyPair k = EmulatedUltravisor.newHostKey(context.random());
                PemFiles.writePrivateKey(dir.resolve("host.key"), k.getPrivate());
                PemFiles.writePublicKey(dir.resolve("host.pub"), k.getPublic());
            }
            return new KeyPair(PemFiles.readPublicKey(dir.resolve("host.pub")), PemFiles.readPrivateKey(dir.resolve("host.key")));
        });
        SecureExecutionMeasurement.ImageHeader image = new SecureExecutionMeasurement.ImageHeader(digest("page list"), digest("address list"), digest("tweak list"),
                Bytes.of(java.util.Arrays.copyOf(digest("tag").toArray(), 16)));
        Bytes cuid = Bytes.of(java.util.Arrays.copyOf(digest("config " + HexFormat.of().formatHex(host.getPublic().getEncoded())).toArray(), 16));
        Path arcb = context.setting("s390.arcb").map(Path::of).orElse(dir.resolve("request.arcb"));
        return new S390EmulatedProvider(new EmulatedUltravisor(host, image, cuid), arcb);
    }

    /** The emulated image's header values, as `pvextract-hdr` would give a verifier. */
    private static Bytes digest(String what) {
        try {
            return Bytes.of(java.security.MessageDigest.getInstance("SHA-512").digest(("GuestAttest emulated SE image " + what)
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public EmulatedUltravisor ultravisor() {
        return uv;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean emulated() {
        return true;
    }

    @Override
    public InputRules inputRules() {
        return INPUT;
    }

    @Override
    public ReportBlobs report(ReportRequest request) {
        byte[] req;
        try {
            if (!Files.isRegularFile(arcb) || Files.size(arcb) > dev.guestattest.s390.abi.UltravisorAttest.MAX_ARCB) {
                throw AttestationException.invalid("s390.arcb", arcb + " is not an attestation request file (make one as the verifier)");
            }
            req = Files.readAllBytes(arcb);
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "s390.arcb: cannot read " + arcb + ": " + e.getMessage());
        }
        EmulatedUltravisor.Response r = uv.attest(req, request.inblob());
        return ReportBlobs.of(new AttestationResponse(r.measurement(), r.additionalData(), r.configUid(), r.userData()).toJson());
    }
}
