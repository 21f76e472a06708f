// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.emulator;

import dev.guestattest.core.state.PemFiles;
import dev.guestattest.core.state.StateLock;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.ReportMacStruct;
import dev.guestattest.tdx.abi.TdInfo;
import dev.guestattest.tdx.abi.TdReport;
import dev.guestattest.tdx.abi.TeeTcbInfo;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A software TD: its configuration, RTMR0-3 (SHA-384 extend, persisted in the state directory so
 * {@code guest-attest emulator extend} lasts until reset), and TDG.MR.REPORT: a TDREPORT whose
 * hashes bind TEE_TCB_INFO and TDINFO and whose MAC is keyed by the platform, as the CPU does.
 */
public final class EmulatedTd {
    static final String STATE = "td.properties";
    private static final Bytes REPORT_TYPE_TDX15 = Bytes.fromHex("REPORTTYPE", "81000100");
    private static final Bytes TCB_VALID = Bytes.fromHex("VALID", "ff03000000000000");

    private final EmulatedPlatform platform;
    private final Path file;
    private final SecretKeySpec macKey;
    private TdConfig config;
    private List<Bytes> rtmrs;

    private EmulatedTd(EmulatedPlatform platform, Path file) {
        this.platform = platform;
        this.file = file;
        this.macKey = new SecretKeySpec(platform.reportMacKey(), "HmacSHA256");
        load();
    }

    /** Opens the TD state beside {@code platform}, with the default configuration if none exists. */
    public static EmulatedTd open(EmulatedPlatform platform) {
        Path f = platform.directory().resolve(STATE);
        if (!Files.exists(f)) {
            store(f, TdConfig.DEFAULT, zeroRtmrs());
        }
        return new EmulatedTd(platform, f);
    }

    public synchronized TdConfig config() {
        return config;
    }

    public synchronized List<Bytes> rtmrs() {
        return rtmrs;
    }

    /** Rebuilds the TD with {@code newConfig} and zeroed RTMRs, as a TD relaunch would. */
    public synchronized void reset(TdConfig newConfig) {
        withFileLock(() -> store(file, newConfig, zeroRtmrs()));
        config = newConfig;
        rtmrs = zeroRtmrs();
    }

    /**
     * TDG.MR.RTMR.EXTEND: RTMR[index] = SHA-384(RTMR[index] || digest). Extends are irreversible
     * until reset; other processes' extends are re-read first, so none is lost.
     */
    public synchronized Bytes extend(int index, byte[] digest) {
        if (index < 0 || index >= TdInfo.RTMR_COUNT) {
            throw AttestationException.invalid("rtmr index", index + " is outside 0..3");
        }
        if (digest.length != TdInfo.MR_SIZE) {
            throw AttestationException.invalid("digest", digest.length + " bytes; an RTMR extend takes exactly 48 (SHA-384)");
        }
        withFileLock(() -> {
            load();
            byte[] joined = new byte[96];
            rtmrs.get(index).copyTo(joined, 0);
            System.arraycopy(digest, 0, joined, 48, 48);
            List<Bytes> next = new ArrayList<>(rtmrs);
            next.set(index, Bytes.of(TdReport.sha384(joined)));
            store(file, config, next);
            rtmrs = List.copyOf(next);
        });
        return rtmrs.get(index);
    }

    /** Re-reads the TD's state, picking up extends and resets made by other processes since. */
    public synchronized void refresh() {
        withFileLock(this::load);
    }

    /** TDG.MR.REPORT for {@code reportData} (64 bytes). */
    public TdReport report(Bytes reportData) {
        reportData.checkLength("REPORTDATA", TdReport.REPORT_DATA_SIZE);
        TdConfig c;
        List<Bytes> r;
        synchronized (this) {
            c = config;
            r = rtmrs;
        }
        PlatformTcb tcb = platform.tcb();
        TeeTcbInfo tcbInfo = new TeeTcbInfo(TCB_VALID, tcb.teeTcbSvn(), tcb.mrSeam(), Bytes.zeros(48), Bytes.zeros(8),
                tcb.teeTcbSvn(), Bytes.zeros(95));
        TdInfo tdInfo = new TdInfo(c.attributes(), c.xfam(), c.mrTd(), c.mrConfigId(), c.mrOwner(), c.mrOwnerConfig(), r,
                Bytes.zeros(48), Bytes.zeros(64));
        ReportMacStruct unsigned = new ReportMacStruct(REPORT_TYPE_TDX15, Bytes.zeros(12), tcb.cpuSvn(),
                Bytes.of(TdReport.sha384(tcbInfo.toBytes())), Bytes.of(TdReport.sha384(tdInfo.toBytes())), reportData,
                Bytes.zeros(32), Bytes.zeros(32));
        TdReport draft = new TdReport(unsigned, tcbInfo, Bytes.zeros(17), tdInfo);
        Bytes mac = Bytes.of(mac(macKey, draft.toBytes()));
        ReportMacStruct signed = new ReportMacStruct(unsigned.reportType(), unsigned.reserved1(), unsigned.cpuSvn(),
                unsigned.teeTcbInfoHash(), unsigned.teeInfoHash(), reportData, unsigned.reserved2(), mac);
        return new TdReport(signed, tcbInfo, draft.reserved(), tdInfo);
    }

    /** HMAC-SHA256 over the REPORTMACSTRUCT bytes before the MAC (they include both hashes). */
    static byte[] mac(SecretKeySpec key, byte[] tdReport) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            m.update(tdReport, 0, ReportMacStruct.MAC_OFFSET);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is mandatory in every JDK", e);
        }
    }

    private static List<Bytes> zeroRtmrs() {
        return List.of(Bytes.zeros(48), Bytes.zeros(48), Bytes.zeros(48), Bytes.zeros(48));
    }

    private void load() {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)));
            config = new TdConfig(hex(p, "mrtd"), hex(p, "mrconfigid"), hex(p, "mrowner"), hex(p, "mrownerconfig"),
                    hex(p, "attributes"), hex(p, "xfam"));
            rtmrs = List.of(hex(p, "rtmr0"), hex(p, "rtmr1"), hex(p, "rtmr2"), hex(p, "rtmr3"));
        } catch (IOException | AttestationException e) {
            throw PemFiles.corrupt(file, e);
        }
    }

    private static Bytes hex(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw AttestationException.invalid(key, "missing");
        }
        return Bytes.fromHex(key, v);
    }

    private static void store(Path file, TdConfig c, List<Bytes> rtmrs) {
        Properties p = new Properties();
        p.setProperty("mrtd", c.mrTd().hex());
        p.setProperty("mrconfigid", c.mrConfigId().hex());
        p.setProperty("mrowner", c.mrOwner().hex());
        p.setProperty("mrownerconfig", c.mrOwnerConfig().hex());
        p.setProperty("attributes", c.attributes().hex());
        p.setProperty("xfam", c.xfam().hex());
        for (int i = 0; i < rtmrs.size(); i++) {
            p.setProperty("rtmr" + i, rtmrs.get(i).hex());
        }
        StringWriter w = new StringWriter();
        try {
            p.store(w, "GuestAttest emulated TD");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        PemFiles.writeAtomically(file, w.toString().getBytes(StandardCharsets.US_ASCII), false);
    }

    private void withFileLock(Runnable action) {
        StateLock.with(platform.directory(), () -> {
            action.run();
            return null;
        });
    }
}
