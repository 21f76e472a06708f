// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tdx.verify;

import dev.guestattest.core.codec.Bytes;
import dev.guestattest.tdx.abi.TdQuoteBody;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The TCB status of a TD by Intel's QVL rules (formats.md §1.5 step 7): the platform level from
 * the PCK's SGX components and PCESVN, then the TDX components of TEE_TCB_SVN (from index 2 when
 * the module is judged by its identity), the TDX module identity, and the QE's status folded in.
 */
public record TcbEvaluation(TcbStatus status, Optional<Instant> tcbDate, List<String> advisoryIds, String detail) {
    public TcbEvaluation {
        advisoryIds = List.copyOf(advisoryIds);
    }

    static TcbEvaluation notSupported(String why) {
        return new TcbEvaluation(TcbStatus.TCB_NOT_SUPPORTED, Optional.empty(), List.of(), why);
    }

    static TcbEvaluation evaluate(TcbInfo info, PckExtensions pck, TdQuoteBody body, TcbInfo.IsvLevel qeLevel) {
        List<TcbInfo.Level> levels = info.levels();
        int sgx = -1;
        for (int i = 0; i < levels.size() && sgx < 0; i++) {
            if (sgxMeets(pck, levels.get(i))) {
                sgx = i;
            }
        }
        if (sgx < 0) {
            return notSupported("no TCB level matches the PCK: " + sgxShortfall(pck, levels));
        }
        byte[] teeTcbSvn = body.teeTcbSvn().toArray();
        int major = teeTcbSvn[1] & 0xff;
        int from = major > 0 ? 2 : 0;
        int tdx = -1;
        for (int i = sgx; i < levels.size() && tdx < 0; i++) {
            if (tdxMeets(teeTcbSvn, levels.get(i), from)) {
                tdx = i;
            }
        }
        if (tdx < 0) {
            return notSupported("no TCB level at or below the SGX level matches TEE_TCB_SVN " + body.teeTcbSvn().hex());
        }
        TcbInfo.Level level = levels.get(tdx);
        LinkedHashSet<String> advisories = new LinkedHashSet<>(level.advisoryIds());
        TcbStatus status = level.status();
        String detail = "TCB level " + level.tcbDate() + " " + level.status();
        if (major > 0) {
            String id = String.format("TDX_%02X", major);
            Optional<TcbInfo.ModuleIdentity> identity = info.moduleIdentities().stream().filter(m -> m.id().equals(id)).findFirst();
            if (identity.isEmpty()) {
                return notSupported("TCB Info has no TDX module identity " + id);
            }
            TcbInfo.ModuleIdentity m = identity.get();
            Optional<String> mismatch = moduleMismatch(m.mrsigner(), m.attributes(), m.attributesMask(), body);
            if (mismatch.isPresent()) {
                return notSupported("TDX module " + id + ": " + mismatch.get());
            }
            int isvsvn = teeTcbSvn[0] & 0xff;
            Optional<TcbInfo.IsvLevel> moduleLevel = m.levels().stream().filter(l -> l.isvsvn() <= isvsvn).findFirst();
            if (moduleLevel.isEmpty()) {
                return notSupported("TDX module " + id + " ISVSVN " + isvsvn + " is below every level");
            }
            advisories.addAll(moduleLevel.get().advisoryIds());
            TcbStatus moduleStatus = moduleLevel.get().status();
            detail += "; module " + id + " ISVSVN " + isvsvn + " " + moduleStatus;
            TcbStatus folded = status.foldIn(moduleStatus);
            if (folded != status && moduleStatus == TcbStatus.OUT_OF_DATE && relaunchFixes(body, levels.get(0), m)) {
                folded = status.needsConfiguration() ? TcbStatus.TD_RELAUNCH_ADVISED_CONFIGURATION_NEEDED : TcbStatus.TD_RELAUNCH_ADVISED;
                detail += " (TEE_TCB_SVN_2 already meets the newest level: relaunch the TD)";
            }
            status = folded;
        } else if (info.tdxModule().isPresent()) {
            TcbInfo.Module m = info.tdxModule().get();
            Optional<String> mismatch = moduleMismatch(m.mrsigner(), m.attributes(), m.attributesMask(), body);
            if (mismatch.isPresent()) {
                return notSupported("TDX module: " + mismatch.get());
            }
        }
        advisories.addAll(qeLevel.advisoryIds());
        TcbStatus withQe = status.foldIn(qeLevel.status());
        detail += "; QE ISVSVN level " + qeLevel.isvsvn() + " " + qeLevel.status();
        return new TcbEvaluation(withQe, Optional.of(level.tcbDate()), new ArrayList<>(advisories), detail);
    }

    private static boolean sgxMeets(PckExtensions pck, TcbInfo.Level level) {
        for (int i = 0; i < 16; i++) {
            if (pck.sgxComponents()[i] < level.sgxComponents()[i]) {
                return false;
            }
        }
        return pck.pceSvn() >= level.pceSvn();
    }

    private static boolean tdxMeets(byte[] teeTcbSvn, TcbInfo.Level level, int from) {
        for (int i = from; i < 16; i++) {
            if ((teeTcbSvn[i] & 0xff) < level.tdxComponents()[i]) {
                return false;
            }
        }
        return true;
    }

    /** Why no level takes the PCK, in the terms of the component that rules them all out, if one does. */
    private static String sgxShortfall(PckExtensions pck, List<TcbInfo.Level> levels) {
        for (int i = 0; i < 16; i++) {
            int index = i;
            int have = pck.sgxComponents()[i];
            int least = levels.stream().mapToInt(l -> l.sgxComponents()[index]).min().orElse(0);
            if (have < least) {
                return "SGX component " + (i + 1) + " (index " + i + ") is " + have + ", every level needs at least " + least;
            }
        }
        int leastPce = levels.stream().mapToInt(TcbInfo.Level::pceSvn).min().orElse(0);
        if (pck.pceSvn() < leastPce) {
            return "PCESVN is " + pck.pceSvn() + ", every level needs at least " + leastPce;
        }
        return "the PCK's SGX components are below every level";
    }

    private static Optional<String> moduleMismatch(Bytes mrsigner, Bytes attributes, Bytes mask, TdQuoteBody body) {
        if (!mrsigner.equals(body.mrSignerSeam())) {
            return Optional.of("MRSIGNERSEAM " + body.mrSignerSeam().hex() + " is not the identity's " + mrsigner.hex());
        }
        byte[] seam = body.seamAttributes().toArray();
        byte[] m = mask.toArray();
        byte[] want = attributes.toArray();
        for (int i = 0; i < seam.length; i++) {
            if ((seam[i] & m[i]) != want[i]) {
                return Optional.of("SEAMATTRIBUTES " + body.seamAttributes().hex() + " masked do not equal " + attributes.hex());
            }
        }
        return Optional.empty();
    }

    /** Whether the TDX module the TD would get on relaunch (TEE_TCB_SVN_2) already meets the newest level. */
    private static boolean relaunchFixes(TdQuoteBody body, TcbInfo.Level newest, TcbInfo.ModuleIdentity module) {
        if (body.teeTcbSvn2().isEmpty()) {
            return false;
        }
        byte[] svn2 = body.teeTcbSvn2().get().toArray();
        return tdxMeets(svn2, newest, 2) && (svn2[0] & 0xff) >= module.levels().get(0).isvsvn();
    }
}
