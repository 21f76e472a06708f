package dev.guestattest.cove;

import static org.assertj.core.api.Assertions.assertThat;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.cove.emulator.EmulatedTsm;
import dev.guestattest.cove.verify.CoveVerifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoveTest {
    @TempDir
    Path state;

    private byte[] evidence(ProviderContext ctx, byte[] challenge) {
        try (ProviderSession s = ProviderSession.open(Optional.of("cove/emulated"), ctx)) {
            return s.report(ReportRequest.of(challenge)).outblob().toArray();
        }
    }

    @Test
    void theDiceChainVerifiesToTheEmulatedRootWithChallengeKeyAndRuntimeRegisters() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        Bytes d = Bytes.of(HashAlgorithm.SHA384.hash("app".getBytes()));
        tsm.extend("rmr2", d);
        byte[] challenge = new byte[64];
        challenge[5] = 9;
        byte[] ev = evidence(ctx, challenge);
        CoveVerifier.Result r = CoveVerifier.verify(ev, List.of(tsm.rootCertificate()), Optional.of(Bytes.of(challenge)),
                Optional.of(tsm.tvmPublicKey()), Instant.now());
        assertThat(r.result().failures()).isEmpty();
        assertThat(r.result().checks()).extracting(Check::name).containsExactly("evidence.format", "dice.chain", "dice.validity",
                "tvm.challenge", "tvm.public_key");
        assertThat(r.claims().orElseThrow().layers()).extracting(l -> l.model().orElseThrow()).containsExactly("TSM-driver", "TSM", "TVM");
        assertThat(r.claims().orElseThrow().tvmRuntimeMeasurements().get(2).toArray())
                .isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], d.toArray()));
        var common = r.claims().orElseThrow().common();
        assertThat(common.tee()).isEqualTo("cove");
        assertThat(common.initialMeasurement()).contains(tsm.read("initial"));
        assertThat(common.initialMeasurement().orElseThrow().toArray()).hasSize(48).isNotEqualTo(new byte[48]);
        assertThat(common.runtimeRegisters()).containsOnlyKeys("rmr0", "rmr1", "rmr2", "rmr3");
        assertThat(common.runtimeRegisters().get("rmr2").toArray()).isEqualTo(HashAlgorithm.SHA384.extend(new byte[48], d.toArray()));
        assertThat(common.reportData()).isEqualTo(Bytes.of(challenge));
    }

    @Test
    void anotherRootChallengeOrKeyFails() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedTsm tsm = EmulatedTsm.open(ctx);
        byte[] ev = evidence(ctx, new byte[64]);
        EmulatedTsm other = EmulatedTsm.open(ProviderContext.defaults().withStateDir(state.resolve("other")));
        assertThat(CoveVerifier.verify(ev, List.of(other.rootCertificate()), Optional.empty(), Optional.empty(), Instant.now()).result()
                .failures()).extracting(Check::name).containsExactly("dice.chain");
        assertThat(CoveVerifier.verify(ev, List.of(tsm.rootCertificate()), Optional.of(Bytes.fromHex("c", "01".repeat(64))),
                Optional.of(other.tvmPublicKey()), Instant.now()).result().failures())
                .extracting(Check::name).containsExactly("tvm.challenge", "tvm.public_key");
        byte[] bent = ev.clone();
        bent[200] ^= 1;
        assertThat(CoveVerifier.verify(bent, List.of(tsm.rootCertificate()), Optional.empty(), Optional.empty(), Instant.now()).trusted())
                .isFalse();
    }
}
