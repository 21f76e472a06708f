// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.cca.verify.CcaVerifier;
import dev.guestattest.cca.verify.Cpak;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.ProviderSession;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmulatedRealmTest {
    @TempDir
    Path state;

    @Test
    void emulatedTokensVerifyWithTheEmulatorsCpakAndCarryExtendedRems() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        EmulatedRealm realm = EmulatedRealm.open(ctx);
        Bytes digest = Bytes.of(HashAlgorithm.SHA256.hash("workload".getBytes()));
        realm.extend("rem1", digest);
        byte[] challenge = new byte[48];
        challenge[0] = 7;
        byte[] token;
        try (ProviderSession s = ProviderSession.open(Optional.of("cca/emulated"), ctx)) {
            token = s.report(ReportRequest.of(challenge)).outblob().toArray();
        }
        List<Cpak> anchors = List.of(new Cpak(realm.cpak(), Optional.of(realm.instanceId()), Optional.of(realm.implementationId())));
        CcaVerifier.Result r = CcaVerifier.verify(token, anchors);
        assertThat(r.result().failures()).isEmpty();
        assertThat(r.common().orElseThrow().reportData()).isEqualTo(Bytes.of(Arrays.copyOf(challenge, 64)));
        assertThat(r.realm().orElseThrow().rems().get(1).toArray()).isEqualTo(HashAlgorithm.SHA256.extend(new byte[32], digest.toArray()));
        assertThat(r.platform().orElseThrow().lifecycle()).isEqualTo(0x3000);
        // another platform's CPAK does not vouch for it
        EmulatedRealm other = EmulatedRealm.open(ProviderContext.defaults().withStateDir(state.resolve("other")));
        assertThat(CcaVerifier.verify(token, List.of(new Cpak(other.cpak(), Optional.empty(), Optional.empty())))
                .result().failures()).extracting(Check::name).containsExactly("platform.signature");
    }

    @Test
    void challengesShorterThan32BytesAndReadOnlyRegistersAreRefused() {
        ProviderContext ctx = ProviderContext.defaults().withStateDir(state);
        try (ProviderSession s = ProviderSession.open(Optional.of("cca/emulated"), ctx)) {
            assertThatThrownBy(() -> s.report(ReportRequest.of(new byte[16]))).hasMessageContaining("inblob");
        }
        EmulatedRealm realm = EmulatedRealm.open(ctx);
        assertThatThrownBy(() -> realm.extend("rim", Bytes.zeros(32))).hasMessage("register rim: is read-only");
        assertThatThrownBy(() -> realm.extend("rem0", Bytes.zeros(48))).hasMessage("digest: 48 bytes; rem0:sha256 takes exactly 32");
    }
}
