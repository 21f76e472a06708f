// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.codec.Bytes;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReportRequestTest {
    @Test
    void inblobOf65BytesIsTooLargeAndNamesTheLimit() {
        assertThatThrownBy(() -> ReportRequest.of(new byte[65]))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("inblob: 65 bytes exceeds the limit of 64 bytes");
    }

    @Test
    void privlevelOutsideZeroToThreeIsRejected() {
        for (int bad : new int[] {-1, 4, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> ReportRequest.builder().inblob(new byte[64]).privlevel(bad).build())
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                    .hasMessage("privlevel: " + bad + " is outside 0..3");
        }
    }

    @Test
    void manifestVersionIsAnUnsigned32BitInteger() {
        assertThat(ReportRequest.builder().serviceManifestVersion(0xffff_ffffL).build().serviceManifestVersion()).isEqualTo(0xffff_ffffL);
        assertThatThrownBy(() -> ReportRequest.builder().serviceManifestVersion(1L << 32).build())
                .hasMessageStartingWith("service_manifest_version: 4294967296 is outside 0..4294967295");
        assertThatThrownBy(() -> ReportRequest.builder().serviceManifestVersion(-1).build())
                .hasMessageStartingWith("service_manifest_version:");
    }

    @Test
    void serviceProviderMustBePrintable() {
        assertThatThrownBy(() -> ReportRequest.builder().serviceProvider("sv sm").build()).hasMessageStartingWith("service_provider:");
        assertThatThrownBy(() -> ReportRequest.builder().serviceProvider("").build()).hasMessageStartingWith("service_provider:");
        assertThat(ReportRequest.builder().serviceProvider("svsm").build().hasServiceFields()).isTrue();
    }

    @Test
    void isImmutableAndComparesByContent() {
        byte[] data = {1, 2, 3};
        ReportRequest r = ReportRequest.of(data);
        data[0] = 9;
        assertThat(r.inblob().toArray()).containsExactly(1, 2, 3);
        r.inblob().toArray()[0] = 7;
        assertThat(r.inblob().get(0)).isEqualTo((byte) 1);
        assertThat(r).isEqualTo(ReportRequest.of(new byte[] {1, 2, 3}));
        UUID guid = UUID.randomUUID();
        ReportRequest full = ReportRequest.builder().inblob(Bytes.of(new byte[64])).privlevel(2).serviceProvider("svsm")
                .serviceGuid(guid).serviceManifestVersion(7).build();
        assertThat(full.toBuilder().build()).isEqualTo(full);
        assertThat(full.serviceGuid()).contains(guid);
    }
}
