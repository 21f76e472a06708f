// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.linux.Errno;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.InputRules;
import dev.guestattest.core.Reason;
import dev.guestattest.core.Report;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.Tsm;
import dev.guestattest.testing.ConfigfsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigfsReportsTest {
    @TempDir
    Path tmp;

    private static byte[] evidence(byte[] inblob) {
        byte[] out = new byte[100 + inblob.length];
        System.arraycopy(inblob, 0, out, 100, inblob.length);
        out[0] = 4;
        return out;
    }

    private ConfigfsFixture tdx() {
        return new ConfigfsFixture(tmp.resolve("tsm/report"), "tdx_guest", ConfigfsFixture.TDX_ATTRS, ConfigfsReportsTest::evidence);
    }

    private ConfigfsFixture snp() {
        return new ConfigfsFixture(tmp.resolve("tsm/report"), "sev_guest", ConfigfsFixture.SNP_ATTRS, ConfigfsReportsTest::evidence);
    }

    private static byte[] nonce() {
        byte[] n = new byte[64];
        for (int i = 0; i < 64; i++) {
            n[i] = (byte) i;
        }
        return n;
    }

    private static AttestationException failure(ConfigfsFixture fx, String kernelProvider, ReportRequest request) {
        try {
            new ConfigfsReports(fx, fx.root(), kernelProvider).generate(request);
        } catch (AttestationException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void generatesThroughAPrivateItemAndAlwaysRemovesIt() throws Exception {
        ConfigfsFixture fx = tdx();
        ReportBlobs blobs = new ConfigfsReports(fx, fx.root(), "tdx_guest").generate(ReportRequest.of(nonce()));
        assertThat(blobs.outblob().toArray()).isEqualTo(evidence(nonce()));
        assertThat(blobs.auxblob().length()).isZero();
        assertThat(fx.created).hasSize(1).isEqualTo(fx.removed);
        assertThat(fx.created.iterator().next().getFileName().toString()).startsWith("guestattest-" + ProcessHandle.current().pid() + "-");
        try (Stream<Path> left = Files.list(fx.root())) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void worksBehindTheTsmAsARealProvider() {
        ConfigfsFixture fx = tdx();
        Tsm tsm = new Tsm();
        tsm.register(new ConfigfsReportProvider("tdx/configfs", InputRules.exactly(64, false, false), 0,
                new ConfigfsReports(fx, fx.root(), "tdx_guest")));
        Report r = tsm.report(ReportRequest.of(nonce()));
        assertThat(r.provider()).isEqualTo("tdx/configfs");
        assertThat(r.outblob().toArray()).isEqualTo(evidence(nonce()));
        assertThatThrownBy(() -> tsm.report(ReportRequest.of(new byte[63]))).hasMessageContaining("requires exactly 64");
        assertThat(fx.created).hasSize(1);
    }

    static Stream<Arguments> kernelErrors() {
        return Stream.of(
                Arguments.of("generate", Errno.EINVAL, Reason.INVALID_ARGUMENT),
                Arguments.of("generate", Errno.EBUSY, Reason.BUSY),
                Arguments.of("generate", Errno.EINTR, Reason.INTERRUPTED),
                Arguments.of("generate", Errno.ETIMEDOUT, Reason.TIMEOUT),
                Arguments.of("generate", Errno.EIO, Reason.DEVICE_ERROR),
                Arguments.of("generate", Errno.ENOMEM, Reason.DEVICE_ERROR),
                Arguments.of("generate", Errno.ENOTTY, Reason.DEVICE_ERROR),
                Arguments.of("generate", Errno.EBADMSG, Reason.DEVICE_ERROR),
                Arguments.of("generate", Errno.EFBIG, Reason.TOO_LARGE),
                Arguments.of("generate", Errno.ENXIO, Reason.NO_PROVIDER),
                Arguments.of("write:inblob", Errno.EFBIG, Reason.TOO_LARGE),
                Arguments.of("write:inblob", Errno.EBUSY, Reason.BUSY),
                Arguments.of("read:generation", Errno.ENXIO, Reason.NO_PROVIDER),
                Arguments.of("read:provider", Errno.ENXIO, Reason.NO_PROVIDER),
                Arguments.of("read:outblob", Errno.ETXTBSY, Reason.BUSY),
                Arguments.of("mkdir:", Errno.ENOMEM, Reason.DEVICE_ERROR),
                Arguments.of("mkdir:", Errno.EACCES, Reason.PERMISSION_DENIED));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("kernelErrors")
    void everyKernelErrnoBecomesATypedReasonAndTheItemIsRemoved(String where, int errno, Reason reason) {
        ConfigfsFixture fx = tdx();
        if (where.equals("generate")) {
            fx.failGeneration(errno);
        } else {
            String[] opAttr = where.split(":", -1);
            fx.fail(opAttr[0], opAttr[1], errno);
        }
        AttestationException e = failure(fx, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.errno()).hasValue(errno);
        assertThat(e.getMessage()).startsWith("configfs-tsm ");
        assertThat(fx.removed).isEqualTo(fx.created);
    }

    @Test
    void noProviderRegisteredIsENXIOOnMkdir() {
        AttestationException e = failure(tdx().unregistered(), "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.NO_PROVIDER);
        assertThat(e.getMessage()).contains("no attestation provider is registered with the kernel");
    }

    @Test
    void missingConfigfsIsUnsupported() {
        ConfigfsFixture fx = tdx();
        ConfigfsReports reports = new ConfigfsReports(fx, tmp.resolve("absent/report"), "tdx_guest");
        assertThat(reports.probe().available()).isFalse();
        assertThatThrownBy(() -> reports.generate(ReportRequest.of(nonce())))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("not found (needs Linux 6.7+");
        assertThat(new ConfigfsReports(fx, fx.root(), "tdx_guest").probe().available()).isTrue();
    }

    @Test
    void theProbeAsksTheKernelWhichProviderServesAndSaysWhyNot() {
        assertThat(new ConfigfsReports(tdx(), tdx().root(), "tdx_guest").probe().detail()).endsWith(", provider tdx_guest");
        var other = new ConfigfsReports(tdx(), tdx().root(), "sev_guest").probe();
        assertThat(other.available()).isFalse();
        assertThat(other.detail()).contains("is served by 'tdx_guest', not sev_guest");
        var none = new ConfigfsReports(tdx().unregistered(), tdx().root(), "tdx_guest").probe();
        assertThat(none.available()).isFalse();
        assertThat(none.detail()).contains("no attestation provider is registered with the kernel");
    }

    /** The one probe mechanism: what each step showed, and the item removed whatever happened after mkdir. */
    @Test
    void theProviderProbeReportsWhatEachStepShowedAndAlwaysRemovesItsItem() {
        ConfigfsFixture ok = tdx();
        ConfigfsReports.ProviderProbe served = ConfigfsReports.probeProvider(ok, ok.root());
        assertThat(served.provider()).contains("tdx_guest");
        assertThat(served.failed()).isEmpty();
        assertThat(served.rmdirErrno()).isEmpty();
        assertThat(ok.removed).isEqualTo(ok.created).containsExactly(served.item());

        ConfigfsFixture denied = tdx().fail("mkdir", "", Errno.EACCES);
        assertThat(ConfigfsReports.probeProvider(denied, denied.root()).failed())
                .contains(new ConfigfsReports.ProviderProbe.Step("mkdir", Errno.EACCES));
        assertThat(denied.created).isEmpty();

        ConfigfsFixture unreadable = tdx().fail("read", "provider", Errno.EIO);
        ConfigfsReports.ProviderProbe p = ConfigfsReports.probeProvider(unreadable, unreadable.root());
        assertThat(p.provider()).isEmpty();
        assertThat(p.failed()).contains(new ConfigfsReports.ProviderProbe.Step("read provider", Errno.EIO));
        assertThat(unreadable.removed).isEqualTo(unreadable.created).hasSize(1);

        ConfigfsFixture stuck = tdx().fail("rmdir", "", Errno.EBUSY);
        ConfigfsReports.ProviderProbe lingering = ConfigfsReports.probeProvider(stuck, stuck.root());
        assertThat(lingering.provider()).contains("tdx_guest");
        assertThat(lingering.rmdirErrno()).hasValue(Errno.EBUSY);
        assertThat(new ConfigfsReports(stuck, stuck.root(), "tdx_guest").probe().available()).as("an item it cannot remove").isFalse();
    }

    @Test
    void anotherVendorsProviderIsRefused() {
        ConfigfsFixture fx = snp();
        AttestationException e = failure(fx, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(e.getMessage()).contains("served by 'sev_guest'");
        assertThat(fx.removed).isEqualTo(fx.created).hasSize(1);
    }

    @Test
    void aDroppedInblobStoreIsCaughtByTheGenerationCheck() {
        ConfigfsFixture fx = tdx().dropInblobStores();
        AttestationException e = failure(fx, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.GENERATION_CHANGED);
        assertThat(e.getMessage()).contains("after writing the inputs");
        assertThat(fx.created).hasSize(ConfigfsReports.ATTEMPTS).isEqualTo(fx.removed);
        assertThat(fx.generations).isZero();
    }

    @Test
    void aConcurrentWriterIsRetriedThenReported() {
        ConfigfsFixture once = tdx();
        int[] left = {1};
        once.afterBlobRead(() -> {
            if (left[0]-- > 0) {
                once.foreignWrite();
            }
        });
        assertThat(new ConfigfsReports(once, once.root(), "tdx_guest").generate(ReportRequest.of(nonce())).outblob().toArray())
                .isEqualTo(evidence(nonce()));
        assertThat(once.created).hasSize(2).isEqualTo(once.removed);

        ConfigfsFixture always = tdx();
        always.afterBlobRead(always::foreignWrite);
        AttestationException e = failure(always, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.GENERATION_CHANGED);
        assertThat(e.getMessage()).contains("after reading the outputs");
    }

    @Test
    void privlevelIsWrittenWhereVisibleAndCheckedByTheKernel() {
        ConfigfsFixture fx = snp().privlevelFloor(2);
        AttestationException e = failure(fx, "sev_guest", ReportRequest.builder().inblob(nonce()).privlevel(1).build());
        assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT);
        assertThat(e.getMessage()).isEqualTo("configfs-tsm write privlevel: EINVAL: input rejected by the provider (length, privlevel or service fields)");
        ReportBlobs ok = new ConfigfsReports(fx, fx.root(), "sev_guest").generate(ReportRequest.builder().inblob(nonce()).privlevel(2).build());
        assertThat(ok.outblob().length()).isEqualTo(164);
    }

    @Test
    void privlevelAndServicesWhereHiddenAreUnsupported() {
        assertThat(failure(tdx(), "tdx_guest", ReportRequest.builder().inblob(nonce()).privlevel(1).build()).reason())
                .isEqualTo(Reason.UNSUPPORTED);
        AttestationException e = failure(snp(), "sev_guest",
                ReportRequest.builder().inblob(nonce()).serviceGuid(UUID.randomUUID()).build());
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED);
        assertThat(e.getMessage()).startsWith("service_guid: not offered");
    }

    @Test
    void emptyEvidenceIsAnErrorNeverSuccess() {
        ConfigfsFixture fx = new ConfigfsFixture(tmp.resolve("r"), "tdx_guest", ConfigfsFixture.TDX_ATTRS, in -> new byte[0]);
        AttestationException e = failure(fx, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.DEVICE_ERROR);
        assertThat(e.getMessage()).contains("empty evidence");
    }

    @Test
    void aFailedRemovalIsReported() {
        ConfigfsFixture fx = tdx().fail("rmdir", "", Errno.EBUSY);
        AttestationException e = failure(fx, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(e.reason()).isEqualTo(Reason.BUSY);
        assertThat(e.getMessage()).startsWith("configfs-tsm rmdir ");

        ConfigfsFixture both = tdx().fail("rmdir", "", Errno.EBUSY).failGeneration(Errno.EIO);
        AttestationException primary = failure(both, "tdx_guest", ReportRequest.of(nonce()));
        assertThat(primary.reason()).isEqualTo(Reason.DEVICE_ERROR);
        assertThat(primary.getSuppressed()).hasSize(1);
    }
}
