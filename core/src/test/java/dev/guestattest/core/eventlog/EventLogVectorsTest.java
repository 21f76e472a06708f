// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.testing.Vectors;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The real logs of ../shared/vectors replay to their expected registers; malformed logs are typed errors with offsets. */
class EventLogVectorsTest {
    private static JsonNode json(String path) throws Exception {
        return new ObjectMapper().readTree(Vectors.read(path));
    }

    @Test
    void theGcpCcelReplaysToRtmr0To2OfItsQuote() throws Exception {
        CcelTable table = CcelTable.parse(Vectors.read("intel-tdx/go-tdx-guest-ccel/ccel_table.dat"));
        assertThat(table).isEqualTo(new CcelTable(1, CcelTable.CC_TYPE_TDX, 0, 262144, 0xbedbf000L));
        Tcg2Log log = Tcg2Log.parse(Vectors.read("intel-tdx/go-tdx-guest-ccel/ccel_data.dat"), Event.IndexKind.CC_MR);
        assertThat(log.banks()).containsOnlyKeys(HashAlgorithm.SHA384);
        assertThat(log.events()).hasSize(43);
        assertThat(log.bytesUsed()).isEqualTo(18101);
        Map<Integer, Bytes> mr = log.replay(HashAlgorithm.SHA384);
        JsonNode expected = json("intel-tdx/go-tdx-guest-ccel/expected_rtmrs.derived.json").get("rtmr");
        for (int rtmr = 0; rtmr < 3; rtmr++) {
            assertThat(mr.get(rtmr + 1).hex()).as("RTMR%d (CC MR index %d)", rtmr, rtmr + 1).isEqualTo(expected.get(Integer.toString(rtmr)).asText());
        }
        assertThat(mr).doesNotContainKey(4);
        // and they are RTMR0-2 of the quote itself (TD quote body: RTMRs at 328 + 48 * i after the 48-byte header)
        byte[] quote = Vectors.read("intel-tdx/go-tdx-guest-ccel/cos-113-tdx-quote.dat");
        for (int rtmr = 0; rtmr < 3; rtmr++) {
            int off = 48 + 328 + 48 * rtmr;
            assertThat(Bytes.of(quote, off, 48)).isEqualTo(mr.get(rtmr + 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ubuntu-2404-amd-sevsnp.bin", "rhel8-uefi.bin"})
    void gceUefiLogsReplayToTheExpectedPcrsInEveryBank(String name) throws Exception {
        Tcg2Log log = Tcg2Log.parse(Vectors.read("tpm/go-tpm-tools/" + name), Event.IndexKind.PCR);
        JsonNode expected = json("tpm/go-tpm-tools/expected_pcrs.derived.json").get("logs").get(name);
        int checked = 0;
        for (HashAlgorithm bank : new HashAlgorithm[] {HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384}) {
            JsonNode want = expected.path("pcrs").path(bank.label());
            if (want.isMissingNode()) {
                want = expected.path(bank.label());
            }
            Map<Integer, Bytes> got = log.replay(bank);
            for (var it = want.fields(); it.hasNext(); ) {
                var e = it.next();
                assertThat(got.get(Integer.parseInt(e.getKey())).hex()).as("%s %s PCR %s", name, bank.label(), e.getKey())
                        .isEqualTo(e.getValue().asText());
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
    }

    @Test
    void confidentialSpacesCelReplaysToItsRtmr3() throws Exception {
        byte[] cel = Base64.getMimeDecoder().decode(Vectors.read("tpm/go-tpm-tools/cel.b64"));
        var events = CelTlv.parse(cel);
        assertThat(events).hasSize(18).allMatch(e -> e.indexKind() == Event.IndexKind.CC_MR && e.index() == 4);
        for (Event e : events) { // each digest is SHA-384 of the encoded content TLV
            assertThat(e.digest(HashAlgorithm.SHA384)).contains(Bytes.of(HashAlgorithm.SHA384.hash(CelTlv.content(e).encode())));
        }
        assertThat(Replay.replay(events, HashAlgorithm.SHA384, Map.of()).get(4).hex())
                .isEqualTo(json("tpm/go-tpm-tools/cel_expected.derived.json").get("rtmr3_after_replay").asText());
        byte[] reencoded = events.stream().map(CelTlv::encode).reduce(new byte[0], (a, b) -> {
            byte[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        });
        assertThat(reencoded).isEqualTo(cel);
        assertThat(CelJson.read(CelJson.write(events).getBytes())).isEqualTo(events);
    }

    @Test
    void truncatedOrCorruptLogsAreTypedErrorsWithTheOffset() {
        byte[] log = Vectors.read("tpm/go-tpm-tools/rhel8-uefi.bin");
        for (int cut : new int[] {10, 40, 100, 2000, log.length - 3}) {
            assertThatThrownBy(() -> Tcg2Log.parse(Arrays.copyOf(log, cut), Event.IndexKind.PCR))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                    .hasMessageContaining("offset");
        }
        byte[] cel = Base64.getMimeDecoder().decode(Vectors.read("tpm/go-tpm-tools/cel.b64"));
        assertThatThrownBy(() -> CelTlv.parse(Arrays.copyOf(cel, cel.length - 7))).hasMessageContaining("offset");
        assertThatThrownBy(() -> CcelTable.parse(new byte[56])).hasMessageContaining("CCEL");
    }

    @Test
    void randomGarbageNeverEscapesAsAnythingButATypedError() {
        Random random = new Random(42);
        byte[] base = Vectors.read("tpm/go-tpm-tools/rhel8-uefi.bin");
        for (int i = 0; i < 2000; i++) {
            byte[] mutated = base.clone();
            for (int k = 0; k < 4; k++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt();
            }
            try {
                Tcg2Log.parse(mutated, Event.IndexKind.PCR);
            } catch (AttestationException expected) {
                assertThat(expected.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
            }
        }
    }
}
